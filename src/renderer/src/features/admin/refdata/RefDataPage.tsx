/**
 * 基础数据 (admin, refdata:manage): one page with a tab per kind of reference data —
 * 承办单位, 分拨规则, 时限规则, 工作日历, and the code tables. Loads everything once
 * (GET /api/refdata, plus the users for unit members) and reloads after each change.
 */
import { useTranslation } from 'react-i18next';
import { Tabs } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import type { User } from '../../../../../shared/api/accounts.js';
import type { RefData } from '../../../../../shared/api/refdata.js';
import { useRemote, type Remote } from '../../../app/use-remote';
import { call } from '../../../services/session';
import { CalendarTab } from './CalendarTab';
import { CodeTablesTab } from './CodeTablesTab';
import { DispatchRulesTab } from './DispatchRulesTab';
import { SlaRulesTab } from './SlaRulesTab';
import { UnitsTab } from './UnitsTab';

/** What each tab gets: the loaded data (undefined while the first load runs) and reload. */
export interface RefDataTabProps {
  remote: Remote<unknown>;
  data: RefData | undefined;
  users: readonly User[];
}

export function RefDataPage() {
  const { t } = useTranslation();
  const remote = useRemote(async (signal) => {
    const [data, users] = await Promise.all([
      call(api.getRefData, {}, { signal }),
      // Members are picked from the users list; without users:manage the picker just shows ids.
      call(api.listUsers, {}, { signal }).then((r) => r.items, (): User[] => []),
    ]);
    return { data, users };
  }, []);
  const shared: RefDataTabProps = { remote, data: remote.data?.data, users: remote.data?.users ?? [] };

  return (
    <div data-testid="admin-refdata">
      <Tabs
        destroyOnHidden
        items={[
          { key: 'units', label: <span data-testid="refdata-tab-units">{t('refdata.tabs.units')}</span>, children: <UnitsTab {...shared} /> },
          { key: 'dispatch', label: <span data-testid="refdata-tab-dispatch">{t('refdata.tabs.dispatch')}</span>, children: <DispatchRulesTab {...shared} /> },
          { key: 'sla', label: <span data-testid="refdata-tab-sla">{t('refdata.tabs.sla')}</span>, children: <SlaRulesTab {...shared} /> },
          { key: 'calendar', label: <span data-testid="refdata-tab-calendar">{t('refdata.tabs.calendar')}</span>, children: <CalendarTab /> },
          { key: 'codes', label: <span data-testid="refdata-tab-codes">{t('refdata.tabs.codes')}</span>, children: <CodeTablesTab {...shared} /> },
        ]}
      />
    </div>
  );
}
