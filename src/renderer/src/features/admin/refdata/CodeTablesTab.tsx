/**
 * 诉求类型 / 分类 / 区划: read-only tables for now (the API can change them: PUT
 * /api/refdata/appeal-types|categories|regions/:code). Categories and regions as trees.
 */
import { useTranslation } from 'react-i18next';
import { Card, Table, Tag, Typography, type TableColumnsType } from 'antd';
import type { AppealTypeSchema, CategorySchema, RegionSchema } from '../../../../../shared/api/refdata.js';
import type { z } from 'zod';
import type { RefDataTabProps } from './RefDataPage';

type AppealType = z.infer<typeof AppealTypeSchema>;
type Coded = (z.infer<typeof CategorySchema> | z.infer<typeof RegionSchema>) & { children?: Coded[] };

/** Items nested by parentCode (both lists come sorted by code, so parents precede children). */
function byParent<T extends { code: string; parentCode: string | null }>(items: readonly T[]): (T & { children?: T[] })[] {
  const nodes = new Map(items.map((i) => [i.code, { ...i } as T & { children?: T[] }]));
  const roots: (T & { children?: T[] })[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentCode ? nodes.get(node.parentCode) : undefined;
    if (parent) (parent.children ??= []).push(node);
    else roots.push(node);
  }
  return roots;
}

export function CodeTablesTab({ data, remote }: RefDataTabProps) {
  const { t } = useTranslation();
  const status = (active: boolean) => (active ? <Tag color="green">{t('refdata.active')}</Tag> : <Tag>{t('refdata.inactive')}</Tag>);
  const appealColumns: TableColumnsType<AppealType> = [
    { title: t('refdata.codes.code'), dataIndex: 'code', key: 'code' },
    { title: t('refdata.codes.name'), dataIndex: 'name', key: 'name' },
    { title: t('refdata.codes.sort'), dataIndex: 'sort', key: 'sort' },
    { title: t('refdata.codes.status'), key: 'active', render: (_, a) => status(a.active) },
  ];
  const treeColumns: TableColumnsType<Coded> = [
    { title: t('refdata.codes.name'), dataIndex: 'name', key: 'name' },
    { title: t('refdata.codes.code'), dataIndex: 'code', key: 'code' },
    { title: t('refdata.codes.status'), key: 'active', render: (_, c) => status(c.active) },
  ];

  return (
    <div data-testid="refdata-codes">
      <Typography.Paragraph type="secondary">{t('refdata.codes.readOnly')}</Typography.Paragraph>
      <Card size="small" title={t('refdata.codes.appealTypes')} style={{ marginBottom: 16 }}>
        <Table<AppealType> rowKey="code" size="small" loading={remote.loading} columns={appealColumns} dataSource={data?.appealTypes ?? []} pagination={false} data-testid="refdata-appeal-types" />
      </Card>
      <Card size="small" title={t('refdata.codes.categories')} style={{ marginBottom: 16 }}>
        <Table<Coded> rowKey="code" size="small" loading={remote.loading} columns={treeColumns} dataSource={byParent<Coded>(data?.categories ?? [])} pagination={false} data-testid="refdata-categories" />
      </Card>
      <Card size="small" title={t('refdata.codes.regions')}>
        <Table<Coded> rowKey="code" size="small" loading={remote.loading} columns={treeColumns} dataSource={byParent<Coded>(data?.regions ?? [])} pagination={false} data-testid="refdata-regions" />
      </Card>
    </div>
  );
}
