/** 分拨规则: region + category → lead unit (and co-units); list, create, edit, delete. */
import { useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { App, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import type { DispatchRule } from '../../../../../shared/api/refdata.js';
import { errorText } from '../../../i18n/error-text';
import { call } from '../../../services/session';
import { AdminListHeader } from '../AdminListHeader';
import { RuleRowActions } from './RuleRowActions';
import { DispatchRuleFormModal } from './DispatchRuleFormModal';
import type { RefDataTabProps } from './RefDataPage';
import { nameMaps } from './refdata-model';

export function DispatchRulesTab({ remote, data }: RefDataTabProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [editing, setEditing] = useState<DispatchRule | 'new' | null>(null);
  const names = data ? nameMaps(data) : null;
  const any = <Typography.Text type="secondary">{t('refdata.any')}</Typography.Text>;
  const labelled = (code: string | null, map: ReadonlyMap<string, string> | undefined) => (code ? `${map?.get(code) ?? '?'}（${code}）` : any);

  const remove = async (rule: DispatchRule): Promise<void> => {
    try {
      await call(api.deleteDispatchRule, { params: { id: rule.id } });
      void message.success(t('refdata.deleted'));
      remote.reload();
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };

  const columns: TableColumnsType<DispatchRule> = [
    { title: t('refdata.dispatch.fields.region'), key: 'region', render: (_, r) => labelled(r.regionCode, names?.region) },
    { title: t('refdata.dispatch.fields.category'), key: 'category', render: (_, r) => labelled(r.categoryCode, names?.category) },
    { title: t('refdata.dispatch.fields.lead'), key: 'lead', render: (_, r) => <span data-testid="dispatch-rule-lead">{names?.unit.get(r.leadUnitId) ?? r.leadUnitId}</span> },
    {
      title: t('refdata.dispatch.fields.co'),
      key: 'co',
      render: (_, r) => (r.coUnitIds.length ? r.coUnitIds.map((id) => <Tag key={id}>{names?.unit.get(id) ?? id}</Tag>) : t('common.none')),
    },
    { title: t('refdata.dispatch.fields.priority'), dataIndex: 'priority', key: 'priority' },
    {
      title: t('refdata.dispatch.fields.active'),
      key: 'active',
      render: (_, r) => (r.active ? <Tag color="green">{t('refdata.active')}</Tag> : <Tag>{t('refdata.inactive')}</Tag>),
    },
    { title: t('refdata.dispatch.fields.note'), key: 'note', render: (_, r) => r.note ?? t('common.none') },
    {
      title: t('refdata.actions'),
      key: 'actions',
      render: (_, r) => <RuleRowActions testIdPrefix="dispatch-rule" id={r.id} onEdit={() => setEditing(r)} onDelete={() => remove(r)} />,
    },
  ];

  return (
    <div data-testid="refdata-dispatch">
      <AdminListHeader
        title={t('refdata.tabs.dispatch')}
        createLabel={t('refdata.dispatch.create')}
        createTestId="create-dispatch-rule-button"
        onCreate={() => setEditing('new')}
        onReload={remote.reload}
        error={remote.error}
      />
      <Typography.Paragraph type="secondary">{t('refdata.dispatch.hint')}</Typography.Paragraph>
      <Table<DispatchRule>
        rowKey="id"
        size="middle"
        loading={remote.loading}
        columns={columns}
        dataSource={data?.dispatchRules ?? []}
        pagination={false}
        onRow={(r) => ({ 'data-testid': `dispatch-rule-row-${r.regionCode ?? 'any'}-${r.categoryCode ?? 'any'}` }) as HTMLAttributes<HTMLElement>}
      />
      {editing && data && (
        <DispatchRuleFormModal
          rule={editing === 'new' ? null : editing}
          data={data}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            remote.reload();
          }}
        />
      )}
    </div>
  );
}
