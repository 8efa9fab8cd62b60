/**
 * 新建 / 编辑承办单位: code, name, parent, kind, phone, and the unit's responsibilities —
 * regions and categories (what the dispatch rules and the unit's inbox rest on) and members.
 *
 * E2E: multi-selects are PickLists (`unit-form-regions`, `unit-form-categories`,
 * `unit-form-members`); options carry `unit-form-region-<code>`, `unit-form-category-<code>`,
 * `unit-form-member-<username>`. Click the field, optionally type to filter, click the option.
 */
import { useTranslation } from 'react-i18next';
import { Form, Input, Select, Switch } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import type { User } from '../../../../../shared/api/accounts.js';
import { HandlingUnitInputSchema, unitKinds, type HandlingUnit, type RefData } from '../../../../../shared/api/refdata.js';
import { call } from '../../../services/session';
import { PickList } from '../PickList';
import { RefDataFormModal } from './RefDataFormModal';
import { codeLabel, toUnitBody, unitAndDescendants, unitFormFields, unitFormValues, type UnitBody, type UnitFormValues } from './refdata-model';

interface Props {
  unit: HandlingUnit | null;
  data: RefData;
  users: readonly User[];
  onClose(): void;
  onSaved(): void;
}

export function UnitFormModal({ unit, data, users, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  const excluded = unit ? unitAndDescendants(data.units, unit.id) : new Set<string>();
  const parentOptions = data.units.filter((u) => !excluded.has(u.id)).map((u) => ({ value: u.id, label: codeLabel(u) }));
  // Only 承办单位 users may be members (the server says so too); keep current members listed regardless.
  const current = unit?.memberIds ?? [];
  const memberOptions = users
    .filter((u) => u.roles.includes('unit') || current.includes(u.id))
    .map((u) => ({ value: u.id, label: `${u.displayName}（${u.username}）`, 'data-testid': `unit-form-member-${u.username}` }));
  const regionOptions = data.regions.map((r) => ({ value: r.code, label: codeLabel(r), 'data-testid': `unit-form-region-${r.code}` }));
  const categoryOptions = data.categories.map((c) => ({ value: c.code, label: codeLabel(c), 'data-testid': `unit-form-category-${c.code}` }));

  return (
    <RefDataFormModal<UnitFormValues, UnitBody, (typeof unitFormFields)[number]>
      title={unit ? t('refdata.units.editTitle', { name: unit.name }) : t('refdata.units.createTitle')}
      testId="unit-form"
      creating={!unit}
      fields={unitFormFields}
      initialValues={unitFormValues(unit)}
      schema={HandlingUnitInputSchema}
      toBody={toUnitBody}
      save={(body) => (unit ? call(api.updateUnit, { params: { id: unit.id }, body }) : call(api.createUnit, { body }))}
      successText={(body) => (unit ? t('refdata.saved') : t('refdata.units.created', { name: body.name }))}
      conflict={{ field: 'code', message: t('refdata.units.codeTaken') }}
      onClose={onClose}
      onSaved={onSaved}
    >
      {() => (
        <>
          <Form.Item name="code" label={t('refdata.units.fields.code')} required>
            <Input autoComplete="off" data-testid="unit-form-code" />
          </Form.Item>
          <Form.Item name="name" label={t('refdata.units.fields.name')} required>
            <Input autoComplete="off" data-testid="unit-form-name" />
          </Form.Item>
          <Form.Item name="parentId" label={t('refdata.units.fields.parent')}>
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={parentOptions} data-testid="unit-form-parent" />
          </Form.Item>
          <Form.Item name="kind" label={t('refdata.units.fields.kind')}>
            <Select options={unitKinds.map((k) => ({ value: k, label: t(`refdata.unitKinds.${k}`) }))} data-testid="unit-form-kind" />
          </Form.Item>
          <Form.Item name="phone" label={t('refdata.units.fields.phone')}>
            <Input autoComplete="off" data-testid="unit-form-phone" />
          </Form.Item>
          <Form.Item name="regionCodes" label={t('refdata.units.fields.regions')}>
            <PickList options={regionOptions} data-testid="unit-form-regions" />
          </Form.Item>
          <Form.Item name="categoryCodes" label={t('refdata.units.fields.categories')}>
            <PickList options={categoryOptions} data-testid="unit-form-categories" />
          </Form.Item>
          <Form.Item name="memberIds" label={t('refdata.units.fields.members')}>
            <PickList options={memberOptions} placeholder={t('refdata.units.fields.membersPlaceholder')} data-testid="unit-form-members" />
          </Form.Item>
          <Form.Item name="active" label={t('refdata.units.fields.active')} valuePropName="checked">
            <Switch data-testid="unit-form-active" />
          </Form.Item>
        </>
      )}
    </RefDataFormModal>
  );
}
