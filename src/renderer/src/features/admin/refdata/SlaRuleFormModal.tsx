/**
 * 新建 / 编辑时限规则. Appeal type, urgency and channel are optional (empty = any); the time
 * limit is in Chinese working days (调休 counted) or in hours. Two rules with the same key
 * are refused by the server (CONFLICT, shown on the appeal type field).
 */
import { useTranslation } from 'react-i18next';
import { Form, Input, InputNumber, Radio, Select, Space } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import { SlaRuleInputSchema, type RefData, type SlaRule } from '../../../../../shared/api/refdata.js';
import { channels, urgencies } from '../../../../../shared/api/tickets.js';
import { call } from '../../../services/session';
import { RefDataFormModal } from './RefDataFormModal';
import { codeLabel, slaRuleFormFields, slaRuleFormValues, toSlaRuleBody, type SlaRuleBody, type SlaRuleFormValues } from './refdata-model';

interface Props {
  rule: SlaRule | null;
  data: RefData;
  onClose(): void;
  onSaved(): void;
}

export function SlaRuleFormModal({ rule, data, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  const single = { allowClear: true, virtual: false, placeholder: t('refdata.any') } as const;

  return (
    <RefDataFormModal<SlaRuleFormValues, SlaRuleBody, (typeof slaRuleFormFields)[number]>
      title={rule ? t('refdata.sla.editTitle') : t('refdata.sla.createTitle')}
      testId="sla-form"
      creating={!rule}
      fields={slaRuleFormFields}
      initialValues={slaRuleFormValues(rule)}
      schema={SlaRuleInputSchema}
      toBody={toSlaRuleBody}
      save={(body) => (rule ? call(api.updateSlaRule, { params: { id: rule.id }, body }) : call(api.createSlaRule, { body }))}
      successText={() => t('refdata.saved')}
      conflict={{ field: 'appealType', message: t('refdata.sla.duplicate') }}
      onClose={onClose}
      onSaved={onSaved}
    >
      {() => (
        <>
          <Space wrap align="start">
            <Form.Item name="appealType" label={t('refdata.sla.fields.appealType')}>
              <Select
                {...single}
                style={{ width: 180 }}
                options={data.appealTypes.map((a) => ({ value: a.code, label: codeLabel(a), 'data-testid': `sla-form-appeal-type-${a.code}` }))}
                data-testid="sla-form-appeal-type"
              />
            </Form.Item>
            <Form.Item name="urgency" label={t('refdata.sla.fields.urgency')}>
              <Select
                {...single}
                style={{ width: 140 }}
                options={urgencies.map((u) => ({ value: u, label: t(`refdata.urgency.${u}`), 'data-testid': `sla-form-urgency-${u}` }))}
                data-testid="sla-form-urgency"
              />
            </Form.Item>
            <Form.Item name="channel" label={t('refdata.sla.fields.channel')}>
              <Select
                {...single}
                style={{ width: 140 }}
                options={channels.map((c) => ({ value: c, label: t(`refdata.channel.${c}`), 'data-testid': `sla-form-channel-${c}` }))}
                data-testid="sla-form-channel"
              />
            </Form.Item>
          </Space>
          <Space wrap align="start">
            <Form.Item name="amount" label={t('refdata.sla.fields.amount')} required>
              <InputNumber min={1} max={1000} precision={0} data-testid="sla-form-amount" />
            </Form.Item>
            <Form.Item name="unit" label={t('refdata.sla.fields.unit')}>
              <Radio.Group>
                {(['working_days', 'hours'] as const).map((u) => (
                  <Radio.Button key={u} value={u} data-testid={`sla-form-unit-${u}`}>{t(`refdata.sla.units.${u}`)}</Radio.Button>
                ))}
              </Radio.Group>
            </Form.Item>
            <Form.Item name="startRule" label={t('refdata.sla.fields.startRule')}>
              <Radio.Group>
                {(['same_day', 'next_day'] as const).map((r) => (
                  <Radio.Button key={r} value={r} data-testid={`sla-form-start-${r}`}>{t(`refdata.sla.startRules.${r}`)}</Radio.Button>
                ))}
              </Radio.Group>
            </Form.Item>
          </Space>
          <Space wrap align="start">
            <Form.Item name="signHours" label={t('refdata.sla.fields.signHours')}>
              <InputNumber min={1} max={1000} precision={0} data-testid="sla-form-sign-hours" />
            </Form.Item>
            <Form.Item name="warnHours" label={t('refdata.sla.fields.warnHours')}>
              <InputNumber min={0} max={1000} precision={0} data-testid="sla-form-warn-hours" />
            </Form.Item>
          </Space>
          <Form.Item name="note" label={t('refdata.sla.fields.note')}>
            <Input autoComplete="off" data-testid="sla-form-note" />
          </Form.Item>
        </>
      )}
    </RefDataFormModal>
  );
}
