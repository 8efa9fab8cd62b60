/** 坐席组: list groups, create or edit one (name and its 班长 supervisors). */
import { useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Button, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { api } from '../../../../../shared/api/index.js';
import type { Group } from '../../../../../shared/api/accounts.js';
import { useRemote } from '../../../app/use-remote';
import { errorText } from '../../../i18n/error-text';
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
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('groups.title')}
        </Typography.Title>
        <Space>
          <Button icon={<ReloadOutlined />} onClick={remote.reload}>
            {t('common.refresh')}
          </Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setModal({ kind: 'create' })} data-testid="create-group-button">
            {t('groups.create')}
          </Button>
        </Space>
      </Space>
      {remote.error !== undefined && (
        <Alert
          type="error"
          showIcon
          title={t('common.loadFailed', { reason: errorText(remote.error, t) })}
          action={<Button size="small" onClick={remote.reload}>{t('common.retry')}</Button>}
          style={{ marginBottom: 16 }}
        />
      )}
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
