/** 承办单位: the unit tree with each unit's regions, categories and members; create or edit in a modal. */
import { useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Space, Table, Tag, type TableColumnsType } from 'antd';
import type { HandlingUnit } from '../../../../../shared/api/refdata.js';
import { AdminListHeader } from '../AdminListHeader';
import type { RefDataTabProps } from './RefDataPage';
import { nameMaps, unitTree, type UnitNode } from './refdata-model';
import { UnitFormModal } from './UnitFormModal';

/** At most this many tags per cell; the rest is a count (a district office may cover 100 codes). */
const MAX_TAGS = 6;

function tags(codes: readonly string[], names: ReadonlyMap<string, string>, none: string) {
  if (!codes.length) return none;
  const shown = codes.slice(0, MAX_TAGS).map((c) => <Tag key={c}>{names.get(c) ?? c}</Tag>);
  return (
    <Space wrap size={[4, 4]}>
      {shown}
      {codes.length > MAX_TAGS && <Tag>+{codes.length - MAX_TAGS}</Tag>}
    </Space>
  );
}

export function UnitsTab({ remote, data, users }: RefDataTabProps) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<HandlingUnit | 'new' | null>(null);
  const units = data?.units ?? [];
  const names = data ? nameMaps(data) : null;
  const userNames = new Map(users.map((u) => [u.id, u.displayName]));

  const columns: TableColumnsType<UnitNode> = [
    { title: t('refdata.units.fields.name'), dataIndex: 'name', key: 'name' },
    { title: t('refdata.units.fields.code'), dataIndex: 'code', key: 'code' },
    { title: t('refdata.units.fields.kind'), key: 'kind', render: (_, u) => t(`refdata.unitKinds.${u.kind}`) },
    { title: t('refdata.units.fields.regions'), key: 'regions', render: (_, u) => tags(u.regionCodes, names?.region ?? new Map(), t('common.none')) },
    { title: t('refdata.units.fields.categories'), key: 'categories', render: (_, u) => tags(u.categoryCodes, names?.category ?? new Map(), t('common.none')) },
    { title: t('refdata.units.fields.members'), key: 'members', render: (_, u) => tags(u.memberIds, userNames, t('common.none')) },
    {
      title: t('refdata.units.fields.active'),
      key: 'active',
      render: (_, u) => (u.active ? <Tag color="green">{t('refdata.active')}</Tag> : <Tag>{t('refdata.inactive')}</Tag>),
    },
    {
      title: t('refdata.actions'),
      key: 'actions',
      render: (_, u) => (
        <Button type="link" size="small" onClick={() => setEditing(units.find((x) => x.id === u.id) ?? null)} data-testid={`unit-edit-${u.code}`}>
          {t('common.edit')}
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="refdata-units">
      <AdminListHeader
        title={t('refdata.tabs.units')}
        createLabel={t('refdata.units.create')}
        createTestId="create-unit-button"
        onCreate={() => setEditing('new')}
        onReload={remote.reload}
        error={remote.error}
      />
      <Table<UnitNode>
        // Remount once loaded so the tree starts expanded.
        key={data ? 'loaded' : 'loading'}
        rowKey="id"
        size="middle"
        loading={remote.loading}
        columns={columns}
        dataSource={unitTree(units)}
        expandable={{ defaultExpandAllRows: true }}
        pagination={false}
        onRow={(u) => ({ 'data-testid': `unit-row-${u.code}` }) as HTMLAttributes<HTMLElement>}
      />
      {editing && data && (
        <UnitFormModal
          unit={editing === 'new' ? null : editing}
          data={data}
          users={users}
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
