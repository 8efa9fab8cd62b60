/** 新建坐席组 / 编辑坐席组: name and the supervisors (班长) who own the group. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, App, Button, Form, Input, Modal } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import { UpsertGroupSchema, type Group, type User } from '../../../../../shared/api/accounts.js';
import { errorText } from '../../../i18n/error-text';
import { isApiCallError } from '../../../services/api-client';
import { call } from '../../../services/session';
import { placeIssues, validate, type Issue } from '../form-issues';
import { PickList } from '../PickList';

export type GroupModalMode = { kind: 'create' } | { kind: 'edit'; group: Group };
interface GroupFormValues {
  name?: string;
  supervisorIds?: string[];
}
const groupFields = ['name', 'supervisorIds'] as const;

export function GroupFormModal({ mode, users, onClose, onSaved }: { mode: GroupModalMode; users: readonly User[]; onClose(): void; onSaved(): void }) {
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
          <PickList options={supervisorOptions} placeholder={t('groups.fields.supervisorsPlaceholder')} data-testid="group-form-supervisors" />
        </Form.Item>
        <button type="submit" hidden />
      </Form>
    </Modal>
  );
}
