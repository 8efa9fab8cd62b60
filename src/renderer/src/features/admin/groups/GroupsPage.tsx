/** 坐席组: list groups, create or edit one (name and its 班长 supervisors). */
import { useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Table, Tag, type TableColumnsType } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import type { Group } from '../../../../../shared/api/accounts.js';
import { useRemote } from '../../../app/use-remote';
import { AdminListHeader } from '../AdminListHeader';
import { call } from '../../../services/session';
import { GroupFormModal, type GroupModalMode } from './GroupFormModal';

export function GroupsPage() {
  const { t } = useTranslation();
  const [modal, setModal] = useState<GroupModalMode | null>(null);
  const remote = useRemote(async (signal) => {
    const [groups, users] = await Promise.all([call(api.listGroups, {}, { signal }), call(api.listUsers, {}, { signal })]);
    return { groups: groups.items, users: users.items };
  }, []);
  const groups = remote.data?.groups ?? [];
  const users = remote.data?.users ?? [];
  const userById = new Map(users.map((u) => [u.id, u]));

  const columns: TableColumnsType<Group> = [
    { title: t('groups.columns.name'), dataIndex: 'name', key: 'name' },
    {
      title: t('groups.columns.supervisors'),
      key: 'supervisors',
      render: (_, g) =>
        g.supervisorIds.length
          ? g.supervisorIds.map((id) => <Tag key={id}>{userById.get(id)?.displayName ?? id}</Tag>)
          : t('common.none'),
    },
    { title: t('groups.columns.members'), dataIndex: 'memberCount', key: 'memberCount' },
    {
      title: t('groups.columns.actions'),
      key: 'actions',
      render: (_, g) => (
        <Button type="link" size="small" onClick={() => setModal({ kind: 'edit', group: g })} data-testid={`group-edit-${g.name}`}>
          {t('common.edit')}
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="admin-groups">
      <AdminListHeader
        title={t('groups.title')}
        createLabel={t('groups.create')}
        createTestId="create-group-button"
        onCreate={() => setModal({ kind: 'create' })}
        onReload={remote.reload}
        error={remote.error}
      />
      <Table<Group>
        rowKey="id"
        size="middle"
        loading={remote.loading}
        columns={columns}
        dataSource={groups}
        pagination={false}
        onRow={(g) => ({ 'data-testid': `group-row-${g.name}` }) as HTMLAttributes<HTMLElement>}
      />
      {modal && (
        <GroupFormModal
          mode={modal}
          users={users}
          onClose={() => setModal(null)}
          onSaved={() => {
            setModal(null);
            remote.reload();
          }}
        />
      )}
    </div>
  );
}
