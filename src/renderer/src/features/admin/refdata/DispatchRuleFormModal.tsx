/**
 * 新建 / 编辑分拨规则. Region and category are optional (empty = any); the lead unit is required.
 *
 * E2E: single selects `dispatch-form-region`, `dispatch-form-category`, `dispatch-form-lead`
 * with options `dispatch-form-region-<code>`, `dispatch-form-category-<code>`,
 * `dispatch-form-lead-<unit code>`; co-units are a PickList (`dispatch-form-co`,
 * `dispatch-form-co-<unit code>`).
 */
import { useTranslation } from 'react-i18next';
import { Form, Input, InputNumber, Select, Switch } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import { DispatchRuleInputSchema, type DispatchRule, type RefData } from '../../../../../shared/api/refdata.js';
import { call } from '../../../services/session';
import { PickList } from '../PickList';
import { RefDataFormModal } from './RefDataFormModal';
import {
  codeLabel, dispatchRuleFormFields, dispatchRuleFormValues, toDispatchRuleBody, type DispatchRuleBody, type DispatchRuleFormValues,
} from './refdata-model';

interface Props {
  rule: DispatchRule | null;
  data: RefData;
  onClose(): void;
  onSaved(): void;
}

export function DispatchRuleFormModal({ rule, data, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  const regionOptions = data.regions.map((r) => ({ value: r.code, label: codeLabel(r), 'data-testid': `dispatch-form-region-${r.code}` }));
  const categoryOptions = data.categories.map((c) => ({ value: c.code, label: codeLabel(c), 'data-testid': `dispatch-form-category-${c.code}` }));
  const unitOptions = (prefix: string) =>
    data.units.filter((u) => u.active || u.id === rule?.leadUnitId || rule?.coUnitIds.includes(u.id)).map((u) => ({ value: u.id, label: codeLabel(u), 'data-testid': `${prefix}-${u.code}` }));
  const single = { allowClear: true, showSearch: { optionFilterProp: 'label' }, virtual: false, placeholder: t('refdata.any') } as const;

  return (
    <RefDataFormModal<DispatchRuleFormValues, DispatchRuleBody, (typeof dispatchRuleFormFields)[number]>
      title={rule ? t('refdata.dispatch.editTitle') : t('refdata.dispatch.createTitle')}
      testId="dispatch-form"
      creating={!rule}
      fields={dispatchRuleFormFields}
      initialValues={dispatchRuleFormValues(rule)}
      schema={DispatchRuleInputSchema}
      toBody={toDispatchRuleBody}
      save={(body) => (rule ? call(api.updateDispatchRule, { params: { id: rule.id }, body }) : call(api.createDispatchRule, { body }))}
      successText={() => t('refdata.saved')}
      onClose={onClose}
      onSaved={onSaved}
    >
      {() => (
        <>
          <Form.Item name="regionCode" label={t('refdata.dispatch.fields.region')}>
            <Select {...single} options={regionOptions} data-testid="dispatch-form-region" />
          </Form.Item>
          <Form.Item name="categoryCode" label={t('refdata.dispatch.fields.category')}>
            <Select {...single} options={categoryOptions} data-testid="dispatch-form-category" />
          </Form.Item>
          <Form.Item name="leadUnitId" label={t('refdata.dispatch.fields.lead')} rules={[{ required: true, message: t('refdata.dispatch.leadRequired') }]}>
            <Select {...single} allowClear={false} placeholder={undefined} options={unitOptions('dispatch-form-lead')} data-testid="dispatch-form-lead" />
          </Form.Item>
          <Form.Item name="coUnitIds" label={t('refdata.dispatch.fields.co')}>
            <PickList options={unitOptions('dispatch-form-co')} data-testid="dispatch-form-co" />
          </Form.Item>
          <Form.Item name="priority" label={t('refdata.dispatch.fields.priority')}>
            <InputNumber min={-1000} max={1000} precision={0} data-testid="dispatch-form-priority" />
          </Form.Item>
          <Form.Item name="note" label={t('refdata.dispatch.fields.note')}>
            <Input autoComplete="off" data-testid="dispatch-form-note" />
          </Form.Item>
          <Form.Item name="active" label={t('refdata.dispatch.fields.active')} valuePropName="checked">
            <Switch data-testid="dispatch-form-active" />
          </Form.Item>
        </>
      )}
    </RefDataFormModal>
  );
}
