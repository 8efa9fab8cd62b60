/** 坐席组: list groups, create or edit one (name and its 班长 supervisors). */
import { useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, App, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { api } from '../../../../../shared/api/index.js';
import { UpsertGroupSchema, type Group, type User } from '../../../../../shared/api/accounts.js';
import { useRemote } from '../../../app/use-remote';
import { errorText } from '../../../i18n/error-text';
import { isApiCallError } from '../../../services/api-client';
import { call } from '../../../services/session';
import { placeIssues, validate, type Issue } from '../form-issues';

type GroupModalMode = { kind: 'create' } | { kind: 'edit'; group: Group };
interface GroupFormValues {
  name?: string;
  supervisorIds?: string[];
}
const groupFields = ['name', 'supervisorIds'] as const;

function GroupFormModal({ mode, users, onClose, onSaved }: { mode: GroupModalMode; users: readonly User[]; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<GroupFormValues>();
  const [saving, setSaving] = useState(false);
  const [otherErrors, setOtherErrors] = useState<string[]>([]);
  const creating = mode.kind === 'create';

  // Only users who hold the supervisor role can own a group; keep current owners listed even if not.
  const current = mode.kind === 'edit' ? mode.group.supervisorIds : [];
  const supervisorOptions = users
    .filter((u) => u.roles.includes('supervisor') || current.includes(u.id))
    .map((u) => ({ value: u.id, label: `${u.displayName}（${u.username}）`, 'data-testid': `group-form-supervisor-${u.username}` }));

  const showIssues = (issues: readonly Issue[]): void => {
    const { byField, other } = placeIssues(issues, groupFields);
    form.setFields(groupFields.map((name) => ({ name, errors: byField[name] ?? [] })));
    setOtherErrors(other);
  };

  const submit = async (): Promise<void> => {
    const values = form.getFieldsValue(true) as GroupFormValues;
    const body = { name: values.name ?? '', supervisorIds: values.supervisorIds ?? [] };
    const issues = validate(UpsertGroupSchema, body);
    showIssues(issues);
    if (issues.length > 0) return;
    setSaving(true);
    try {
      const saved =
        mode.kind === 'create'
          ? await call(api.createGroup, { body })
          : await call(api.updateGroup, { params: { id: mode.group.id }, body });
      void message.success(creating ? t('groups.created', { name: saved.name }) : t('groups.saved'));
      onSaved();
    } catch (err) {
      if (isApiCallError(err) && err.code === 'VALIDATION_FAILED' && err.error.issues?.length) showIssues(err.error.issues);
      else setOtherErrors([errorText(err, t)]);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={mode.kind === 'create' ? t('groups.createTitle') : t('groups.editTitle', { name: mode.group.name })}
      onCancel={onClose}
      maskClosable={false}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" loading={saving} onClick={() => form.submit()} data-testid="group-form-submit">
          {creating ? t('common.create') : t('common.save')}
        </Button>,
      ]}
    >
      {otherErrors.length > 0 && <Alert type="error" showIcon title={otherErrors.join('；')} style={{ marginBottom: 16 }} />}
      <Form<GroupFormValues>
        form={form}
        layout="vertical"
        initialValues={mode.kind === 'edit' ? { name: mode.group.name, supervisorIds: [...mode.group.supervisorIds] } : { supervisorIds: [] }}
        onFinish={() => void submit()}
      >
        <Form.Item name="name" label={t('groups.fields.name')} required>
          <Input autoComplete="off" data-testid="group-form-name" />
        </Form.Item>
        <Form.Item name="supervisorIds" label={t('groups.fields.supervisors')}>
          <Select
            mode="multiple"
            options={supervisorOptions}
            virtual={false}
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('groups.fields.supervisorsPlaceholder')}
            data-testid="group-form-supervisors"
          />
        </Form.Item>
        <button type="submit" hidden />
      </Form>
    </Modal>
  );
}

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
