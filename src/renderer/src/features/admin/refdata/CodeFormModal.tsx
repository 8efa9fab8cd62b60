/**
 * 新增 / 编辑 a code: 诉求类型 (code, name, order), 分类 (code — its parent is the code less two
 * digits, shown as typed — name, order) or 行政区划 (GB/T 2260 code, parent region, name).
 * The code is the key tickets keep, so it is fixed once created. The server checks the rest
 * (parent exists and is of the level above, names unique among siblings) and its issues land
 * on the fields; a taken code (CONFLICT) lands on the code.
 *
 * E2E: `<kind>-form` (appeal-type / category / region) with `-code`, `-name`, `-sort`,
 * `-parent`, `-active`, `-parent-hint`, `-submit`.
 */
import { useTranslation } from 'react-i18next';
import { Form, Input, InputNumber, Select, Switch, Typography } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import {
  AppealTypeBodySchema, AppealTypeInputSchema, CategoryBodySchema, CategoryInputSchema, RegionBodySchema, RegionInputSchema, type RefData,
} from '../../../../../shared/api/refdata.js';
import { call } from '../../../services/session';
import { RefDataFormModal } from './RefDataFormModal';
import {
  categoryParent, codeFormFields, codeFormValues, codeLabel, regionLevel, regionParent, toCodeBody, type CodeBody, type CodeFormValues, type CodeItem, type CodeKind,
} from './refdata-model';

const testIds: Record<CodeKind, string> = { appealType: 'appeal-type-form', category: 'category-form', region: 'region-form' };

interface Props {
  kind: CodeKind;
  /** null: create. */
  item: CodeItem | null;
  /** For a new code: the suggested code and parent (新增下级). */
  preset?: { code?: string; parentCode?: string | null };
  data: RefData;
  onClose(): void;
  onSaved(): void;
}

export function CodeFormModal({ kind, item, preset, data, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  const creating = !item;
  const id = testIds[kind];
  const schema = {
    appealType: creating ? AppealTypeInputSchema : AppealTypeBodySchema,
    category: creating ? CategoryInputSchema : CategoryBodySchema,
    region: creating ? RegionInputSchema : RegionBodySchema,
  }[kind];

  const save = (body: CodeBody): Promise<unknown> => {
    const b = body as never;
    if (kind === 'appealType') return item ? call(api.putAppealType, { params: { code: item.code }, body: b }) : call(api.createAppealType, { body: b });
    if (kind === 'category') return item ? call(api.putCategory, { params: { code: item.code }, body: b }) : call(api.createCategory, { body: b });
    return item ? call(api.putRegion, { params: { code: item.code }, body: b }) : call(api.createRegion, { body: b });
  };

  const categoryName = new Map(data.categories.map((c) => [c.code, c.name]));
  const parentHint = (code: string): string => {
    const parent = categoryParent(code);
    if (!parent) return code.length === 2 ? t('refdata.codes.topLevel') : t('refdata.codes.categoryCodeHint');
    const name = categoryName.get(parent);
    return name ? t('refdata.codes.under', { label: codeLabel({ code: parent, name }) }) : t('refdata.codes.parentMissing', { code: parent });
  };
  // A region's parent: provinces for a city, cities for a county (the server checks the digits too).
  const parentOptions = (code: string) => {
    const level = /^[0-9]{6}$/.test(code) ? regionLevel(code) : null;
    return data.regions
      .filter((r) => r.level < 3 && (level === null || r.level === level - 1))
      .map((r) => ({ value: r.code, label: codeLabel(r), 'data-testid': `region-form-parent-${r.code}` }));
  };

  return (
    <RefDataFormModal<CodeFormValues, CodeBody, (typeof codeFormFields)[number]>
      title={t(`refdata.codes.${creating ? 'createTitle' : 'editTitle'}`, { kind: t(`refdata.codes.kinds.${kind}`), name: item?.name ?? '' })}
      testId={id}
      creating={creating}
      fields={codeFormFields}
      initialValues={codeFormValues(item, preset)}
      schema={schema}
      toBody={(v) => toCodeBody(kind, v, creating)}
      save={save}
      successText={() => t('refdata.saved')}
      conflict={{ field: 'code', message: t('refdata.codes.codeTaken') }}
      onClose={onClose}
      onSaved={onSaved}
    >
      {(form) => (
        <>
          <Form.Item name="code" label={t('refdata.codes.code')} required extra={creating ? t(`refdata.codes.codeRule.${kind}`) : t('refdata.codes.codeFixed')}>
            <Input
              autoComplete="off"
              disabled={!creating}
              data-testid={`${id}-code`}
              onChange={(e) => {
                // Typing a complete region code picks its parent by the digits.
                if (kind === 'region' && creating) {
                  const parent = regionParent(data.regions, e.target.value.trim());
                  if (parent) form.setFieldValue('parentCode', parent);
                }
              }}
            />
          </Form.Item>
          {kind === 'category' && (
            <Form.Item noStyle shouldUpdate={(a, b) => a.code !== b.code}>
              {() => (
                <Typography.Paragraph type="secondary" style={{ marginTop: -12 }} data-testid={`${id}-parent-hint`}>
                  {parentHint(String(form.getFieldValue('code') ?? '').trim())}
                </Typography.Paragraph>
              )}
            </Form.Item>
          )}
          {kind === 'region' && (
            <Form.Item noStyle shouldUpdate={(a, b) => a.code !== b.code}>
              {() => (
                <Form.Item name="parentCode" label={t('refdata.codes.parent')}>
                  <Select
                    allowClear
                    showSearch={{ optionFilterProp: 'label' }}
                    virtual={false}
                    placeholder={t('refdata.codes.noParent')}
                    options={parentOptions(String(form.getFieldValue('code') ?? '').trim())}
                    data-testid={`${id}-parent`}
                  />
                </Form.Item>
              )}
            </Form.Item>
          )}
          <Form.Item name="name" label={t('refdata.codes.name')} required>
            <Input autoComplete="off" data-testid={`${id}-name`} />
          </Form.Item>
          {kind !== 'region' && (
            <Form.Item name="sort" label={t('refdata.codes.sort')}>
              <InputNumber precision={0} min={-10000} max={10000} data-testid={`${id}-sort`} />
            </Form.Item>
          )}
          <Form.Item name="active" label={t('refdata.active')} valuePropName="checked" extra={t('refdata.codes.activeHint')}>
            <Switch data-testid={`${id}-active`} />
          </Form.Item>
        </>
      )}
    </RefDataFormModal>
  );
}
