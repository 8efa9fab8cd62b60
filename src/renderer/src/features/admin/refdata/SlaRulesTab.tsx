/** 时限规则: SLA rules keyed by appeal type, urgency and channel (empty = any); list, create, edit, delete. */
import { useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { App, Table, Typography, type TableColumnsType } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import type { SlaRule } from '../../../../../shared/api/refdata.js';
import { errorText } from '../../../i18n/error-text';
import { call } from '../../../services/session';
import { AdminListHeader } from '../AdminListHeader';
import { RuleRowActions } from './RuleRowActions';
import type { RefDataTabProps } from './RefDataPage';
import { nameMaps } from './refdata-model';
import { SlaRuleFormModal } from './SlaRuleFormModal';

export function SlaRulesTab({ remote, data }: RefDataTabProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [editing, setEditing] = useState<SlaRule | 'new' | null>(null);
  const names = data ? nameMaps(data) : null;
  const any = <Typography.Text type="secondary">{t('refdata.any')}</Typography.Text>;

  const remove = async (rule: SlaRule): Promise<void> => {
    try {
      await call(api.deleteSlaRule, { params: { id: rule.id } });
      void message.success(t('refdata.deleted'));
      remote.reload();
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };

  const columns: TableColumnsType<SlaRule> = [
    { title: t('refdata.sla.fields.appealType'), key: 'appealType', render: (_, r) => (r.appealType ? (names?.appealType.get(r.appealType) ?? r.appealType) : any) },
    { title: t('refdata.sla.fields.urgency'), key: 'urgency', render: (_, r) => (r.urgency ? t(`refdata.urgency.${r.urgency}`) : any) },
    { title: t('refdata.sla.fields.channel'), key: 'channel', render: (_, r) => (r.channel ? t(`refdata.channel.${r.channel}`) : any) },
    {
      title: t('refdata.sla.fields.amount'),
      key: 'amount',
      render: (_, r) => <span data-testid="sla-rule-limit">{t('refdata.sla.limit', { amount: r.amount, unit: t(`refdata.sla.units.${r.unit}`) })}</span>,
    },
    { title: t('refdata.sla.fields.startRule'), key: 'startRule', render: (_, r) => t(`refdata.sla.startRules.${r.startRule}`) },
    { title: t('refdata.sla.fields.signHours'), dataIndex: 'signHours', key: 'signHours' },
    { title: t('refdata.sla.fields.warnHours'), dataIndex: 'warnHours', key: 'warnHours' },
    { title: t('refdata.sla.fields.note'), key: 'note', render: (_, r) => r.note ?? t('common.none') },
    {
      title: t('refdata.actions'),
      key: 'actions',
      render: (_, r) => <RuleRowActions testIdPrefix="sla-rule" id={r.id} onEdit={() => setEditing(r)} onDelete={() => remove(r)} />,
    },
  ];

  return (
    <div data-testid="refdata-sla">
      <AdminListHeader
        title={t('refdata.tabs.sla')}
        createLabel={t('refdata.sla.create')}
        createTestId="create-sla-rule-button"
        onCreate={() => setEditing('new')}
        onReload={remote.reload}
        error={remote.error}
      />
      <Typography.Paragraph type="secondary">{t('refdata.sla.hint')}</Typography.Paragraph>
      <Table<SlaRule>
        rowKey="id"
        size="middle"
        loading={remote.loading}
        columns={columns}
        dataSource={data?.slaRules ?? []}
        pagination={false}
        onRow={(r) => ({ 'data-testid': `sla-rule-row-${r.appealType ?? 'any'}-${r.urgency ?? 'any'}-${r.channel ?? 'any'}` }) as HTMLAttributes<HTMLElement>}
      />
      {editing && data && (
        <SlaRuleFormModal
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
