/**
 * 诉求类型 / 分类 / 区划: the code tables, categories and regions as trees. Admins add codes
 * (top level, or 新增下级 on a row with the next free code suggested), rename and reorder them,
 * and 停用 / 启用 them. Codes are never deleted — tickets keep the codes they were filed with;
 * a disabled code (and, for a tree, everything below it) is no longer offered for new tickets.
 */
import { useState, type HTMLAttributes, type Key } from 'react';
import { useTranslation } from 'react-i18next';
import { App, Button, Card, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api } from '../../../../../shared/api/index.js';
import { errorText } from '../../../i18n/error-text';
import { call } from '../../../services/session';
import { CodeFormModal } from './CodeFormModal';
import type { RefDataTabProps } from './RefDataPage';
import { nextChildCode, regionLevel, type AppealType, type Category, type CodeItem, type CodeKind, type Region } from './refdata-model';
import { RuleRowActions } from './RuleRowActions';

type Coded = (Category | Region) & { children?: Coded[] };

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

interface Editing {
  kind: CodeKind;
  item: CodeItem | null;
  preset?: { code?: string; parentCode?: string | null };
}

const testPrefix: Record<CodeKind, string> = { appealType: 'appeal-type', category: 'category', region: 'region' };

export function CodeTablesTab({ data, remote }: RefDataTabProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [editing, setEditing] = useState<Editing | null>(null);
  // Expanded tree rows, kept so a child just added under a collapsed parent shows at once.
  const [expanded, setExpanded] = useState<Record<'category' | 'region', readonly Key[]>>({ category: [], region: [] });
  const expandable = (kind: 'category' | 'region') => ({
    expandedRowKeys: expanded[kind],
    onExpandedRowsChange: (keys: readonly Key[]) => setExpanded((e) => ({ ...e, [kind]: keys })),
  });
  const status = (active: boolean) => (active ? <Tag color="green">{t('refdata.active')}</Tag> : <Tag>{t('refdata.inactive')}</Tag>);

  const setActive = async (kind: CodeKind, item: CodeItem, active: boolean): Promise<void> => {
    try {
      if (kind === 'appealType') {
        const a = item as AppealType;
        await call(api.putAppealType, { params: { code: a.code }, body: { name: a.name, sort: a.sort, active } });
      } else if (kind === 'category') {
        const c = item as Category;
        await call(api.putCategory, { params: { code: c.code }, body: { name: c.name, sort: c.sort, active } });
      } else {
        const r = item as Region;
        await call(api.putRegion, { params: { code: r.code }, body: { name: r.name, parentCode: r.parentCode, active } });
      }
      void message.success(active ? t('refdata.codes.enabled', { name: item.name }) : t('refdata.codes.disabled', { name: item.name }));
      remote.reload();
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };

  const actions = (kind: CodeKind, item: CodeItem) => {
    const canHaveChildren = kind === 'category' ? item.code.length < 8 : kind === 'region' ? regionLevel(item.code) < 3 : false;
    const list = kind === 'category' ? (data?.categories ?? []) : (data?.regions ?? []);
    return (
      <RuleRowActions
        testIdPrefix={testPrefix[kind]}
        id={item.code}
        onEdit={() => setEditing({ kind, item })}
        toggle={{
          active: item.active,
          confirm: t(kind === 'appealType' ? 'refdata.codes.disableConfirm' : 'refdata.codes.disableTreeConfirm', { name: item.name }),
          onToggle: () => setActive(kind, item, !item.active),
        }}
        {...(canHaveChildren && item.active
          ? { onAddChild: () => setEditing({ kind, item: null, preset: { code: nextChildCode(kind as 'category' | 'region', list, item.code), parentCode: item.code } }) }
          : {})}
      />
    );
  };

  const appealColumns: TableColumnsType<AppealType> = [
    { title: t('refdata.codes.code'), dataIndex: 'code', key: 'code' },
    { title: t('refdata.codes.name'), dataIndex: 'name', key: 'name' },
    { title: t('refdata.codes.sort'), dataIndex: 'sort', key: 'sort' },
    { title: t('refdata.codes.status'), key: 'active', render: (_, a) => status(a.active) },
    { title: t('refdata.actions'), key: 'actions', render: (_, a) => actions('appealType', a) },
  ];
  const treeColumns = (kind: 'category' | 'region'): TableColumnsType<Coded> => [
    { title: t('refdata.codes.name'), dataIndex: 'name', key: 'name' },
    { title: t('refdata.codes.code'), dataIndex: 'code', key: 'code' },
    { title: t('refdata.codes.status'), key: 'active', render: (_, c) => status(c.active) },
    { title: t('refdata.actions'), key: 'actions', render: (_, c) => actions(kind, c) },
  ];
  const createButton = (kind: CodeKind, label: string) => (
    <Button
      size="small"
      icon={<PlusOutlined />}
      onClick={() => setEditing({ kind, item: null, preset: kind === 'appealType' ? {} : { code: nextChildCode(kind, kind === 'category' ? (data?.categories ?? []) : (data?.regions ?? []), null), parentCode: null } })}
      data-testid={`create-${testPrefix[kind]}-button`}
    >
      {label}
    </Button>
  );
  const rowTestId = (kind: CodeKind) => (r: { code: string }) => ({ 'data-testid': `${testPrefix[kind]}-row-${r.code}` }) as HTMLAttributes<HTMLElement>;

  return (
    <div data-testid="refdata-codes">
      <Typography.Paragraph type="secondary">{t('refdata.codes.hint')}</Typography.Paragraph>
      <Card size="small" title={t('refdata.codes.appealTypes')} extra={createButton('appealType', t('refdata.codes.createAppealType'))} style={{ marginBottom: 16 }}>
        <Table<AppealType>
          rowKey="code" size="small" loading={remote.loading} columns={appealColumns} dataSource={data?.appealTypes ?? []} pagination={false}
          onRow={rowTestId('appealType')} data-testid="refdata-appeal-types"
        />
      </Card>
      <Card size="small" title={t('refdata.codes.categories')} extra={createButton('category', t('refdata.codes.createCategory'))} style={{ marginBottom: 16 }}>
        <Table<Coded>
          rowKey="code" size="small" loading={remote.loading} columns={treeColumns('category')} dataSource={byParent<Coded>(data?.categories ?? [])} pagination={false}
          onRow={rowTestId('category')} expandable={expandable('category')} data-testid="refdata-categories"
        />
      </Card>
      <Card size="small" title={t('refdata.codes.regions')} extra={createButton('region', t('refdata.codes.createRegion'))}>
        <Table<Coded>
          rowKey="code" size="small" loading={remote.loading} columns={treeColumns('region')} dataSource={byParent<Coded>(data?.regions ?? [])} pagination={false}
          onRow={rowTestId('region')} expandable={expandable('region')} data-testid="refdata-regions"
        />
      </Card>
      {editing && data && (
        <CodeFormModal
          kind={editing.kind}
          item={editing.item}
          {...(editing.preset ? { preset: editing.preset } : {})}
          data={data}
          onClose={() => setEditing(null)}
          onSaved={() => {
            const parent = editing.preset?.parentCode;
            if (parent && (editing.kind === 'category' || editing.kind === 'region')) {
              const kind = editing.kind;
              setExpanded((e) => ({ ...e, [kind]: e[kind].includes(parent) ? e[kind] : [...e[kind], parent] }));
            }
            setEditing(null);
            remote.reload();
          }}
        />
      )}
    </div>
  );
}
