/** 用户管理: list, create, edit, reset password, unlock and force sign-out. */
import { useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { App, Button, Popconfirm, Space, Table, Tag, Tooltip, type ButtonProps, type TableColumnsType } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import type { Group, User } from '../../../../../shared/api/accounts.js';
import { can } from '../../../../../shared/roles.js';
import { AdminListHeader } from '../AdminListHeader';
import { useRemote } from '../../../app/use-remote';
import { errorText } from '../../../i18n/error-text';
import { call } from '../../../services/session';
import { useCurrentUser } from '../../../stores/session-store';
import { ResetPasswordModal } from './ResetPasswordModal';
import { UserFormModal, type UserModalMode } from './UserFormModal';
import { isLocked, userStatus, type UserStatus } from './user-model';

const statusColors: Record<UserStatus, string> = { active: 'green', disabled: 'red', locked: 'orange' };
const formatTime = (iso: string): string => dayjs(iso).format('YYYY-MM-DD HH:mm');

export function UsersPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useCurrentUser();
  const [modal, setModal] = useState<UserModalMode | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);

  const remote = useRemote(async (signal) => {
    const [users, groups] = await Promise.all([call(api.listUsers, {}, { signal }), call(api.listGroups, {}, { signal })]);
    return { users: users.items, groups: groups.items };
  }, []);
  const users = remote.data?.users ?? [];
  const groups: Group[] = remote.data?.groups ?? [];
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  const now = Date.now();

  const act = async (run: () => Promise<unknown>, done: string): Promise<void> => {
    try {
      await run();
      void message.success(done);
      remote.reload();
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };

  const columns: TableColumnsType<User> = [
    { title: t('users.columns.username'), dataIndex: 'username', key: 'username' },
    { title: t('users.columns.displayName'), dataIndex: 'displayName', key: 'displayName' },
    {
      title: t('users.columns.roles'),
      key: 'roles',
      render: (_, u) => u.roles.map((r) => <Tag key={r}>{t(`roles.${r}`)}</Tag>),
    },
    {
      title: t('users.columns.groups'),
      key: 'groups',
      render: (_, u) => (u.groupIds.length ? u.groupIds.map((id) => groupName.get(id) ?? id).join('、') : t('common.none')),
    },
    { title: t('users.columns.extension'), key: 'extension', render: (_, u) => u.extension ?? t('common.none') },
    {
      title: t('users.columns.status'),
      key: 'status',
      render: (_, u) => {
        const status = userStatus(u, now);
        const tag = (
          <Tag color={statusColors[status]} data-testid={`user-status-${u.username}`} data-status={status}>
            {t(`users.status.${status}`)}
          </Tag>
        );
        return status === 'locked' && u.lockedUntil ? (
          <Tooltip title={t('users.lockedUntil', { time: formatTime(u.lockedUntil) })}>{tag}</Tooltip>
        ) : (
          tag
        );
      },
    },
    {
      title: t('users.columns.lastLogin'),
      key: 'lastLoginAt',
      render: (_, u) => (u.lastLoginAt ? formatTime(u.lastLoginAt) : t('users.neverLoggedIn')),
    },
    {
      title: t('users.columns.actions'),
      key: 'actions',
      render: (_, u) => (
        <Space size={0} wrap>
          <Button type="link" size="small" onClick={() => setModal({ kind: 'edit', user: u })} data-testid={`user-edit-${u.username}`}>
            {t('common.edit')}
          </Button>
          <Button type="link" size="small" onClick={() => setResetting(u)} data-testid={`user-reset-password-${u.username}`}>
            {t('users.resetPassword')}
          </Button>
          {isLocked(u, now) && (
            <Button
              type="link"
              size="small"
              onClick={() => void act(() => call(api.updateUser, { params: { id: u.id }, body: { unlock: true } }), t('users.unlocked'))}
              data-testid={`user-unlock-${u.username}`}
            >
              {t('users.unlock')}
            </Button>
          )}
          {can(me.roles, 'sessions:revoke') && (
            <Popconfirm
              title={t('users.revokeConfirm', { username: u.username })}
              onConfirm={() => act(() => call(api.revokeSessions, { params: { id: u.id } }), t('users.revoked'))}
              okButtonProps={{ danger: true, 'data-testid': 'revoke-confirm' } as ButtonProps}
            >
              <Button type="link" size="small" danger data-testid={`user-revoke-${u.username}`}>
                {t('users.revoke')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="admin-users">
      <AdminListHeader
        title={t('users.title')}
        createLabel={t('users.create')}
        createTestId="create-user-button"
        onCreate={() => setModal({ kind: 'create' })}
        onReload={remote.reload}
        error={remote.error}
      />
      <Table<User>
        rowKey="id"
        size="middle"
        loading={remote.loading}
        columns={columns}
        dataSource={users}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(u) => ({ 'data-testid': `user-row-${u.username}` }) as HTMLAttributes<HTMLElement>}
      />
      {modal && (
        <UserFormModal
          mode={modal}
          groups={groups}
          onClose={() => setModal(null)}
          onSaved={() => {
            setModal(null);
            remote.reload();
          }}
        />
      )}
      {resetting && <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />}
    </div>
  );
}
