/**
 * 新建用户 / 编辑用户. Validation is the shared contract's: the body is checked with
 * CreateUserSchema / UpdateUserSchema before sending, and the server's VALIDATION_FAILED
 * issues land on the same fields.
 *
 * E2E: the roles field is an antd Select (`data-testid="user-form-roles"`, on its root).
 * To pick a role, click it to open the dropdown, then click the option, which carries
 * `data-testid="user-form-role-<role>"` (agent | supervisor | qa | admin):
 *   await page.getByTestId('user-form-roles').click();
 *   await page.getByTestId('user-form-role-supervisor').click();
 * The dropdown closes after each pick (see PickList); repeat both clicks for another role.
 * Clicking an already selected option deselects it; the create modal starts with 坐席
 * (agent) selected. Keyboard alternative: click `user-form-roles`, type the label (班长),
 * press Enter. Groups work the same way: `user-form-groups`, `user-form-group-<name>`.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, App, Button, Form, Input, Modal, Switch } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import { CreateUserSchema, UpdateUserSchema, type Group, type User } from '../../../../../shared/api/accounts.js';
import { roles } from '../../../../../shared/roles.js';
import { errorText } from '../../../i18n/error-text';
import { isApiCallError } from '../../../services/api-client';
import { call } from '../../../services/session';
import { placeIssues, validate, type Issue } from '../form-issues';
import { PickList } from '../PickList';
import { formValuesOf, toCreateBody, toUpdateBody, userFormFields, type UserFormValues } from './user-model';

export type UserModalMode = { kind: 'create' } | { kind: 'edit'; user: User };

interface Props {
  mode: UserModalMode;
  groups: readonly Group[];
  onClose(): void;
  onSaved(user: User): void;
}

export function UserFormModal({ mode, groups, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<UserFormValues>();
  const [saving, setSaving] = useState(false);
  const [otherErrors, setOtherErrors] = useState<string[]>([]);
  const creating = mode.kind === 'create';

  const showIssues = (issues: readonly Issue[]): void => {
    const { byField, other } = placeIssues(issues, userFormFields);
    form.setFields(userFormFields.map((name) => ({ name, errors: byField[name] ?? [] })));
    setOtherErrors(other);
  };

  const submit = async (): Promise<void> => {
    const values = form.getFieldsValue(true) as UserFormValues;
    showIssues([]);
    let request: () => Promise<User>;
    if (mode.kind === 'create') {
      const body = toCreateBody(values);
      const issues = validate(CreateUserSchema, body);
      if (issues.length > 0) return showIssues(issues);
      request = () => call(api.createUser, { body });
    } else {
      const body = toUpdateBody(values, mode.user);
      if (!body) {
        void message.info(t('users.nothingChanged'));
        return onClose();
      }
      const issues = validate(UpdateUserSchema, body);
      if (issues.length > 0) return showIssues(issues);
      request = () => call(api.updateUser, { params: { id: mode.user.id }, body });
    }

    setSaving(true);
    try {
      const saved = await request();
      void message.success(creating ? t('users.created', { username: saved.username }) : t('users.saved'));
      onSaved(saved);
    } catch (err) {
      if (isApiCallError(err) && err.code === 'VALIDATION_FAILED' && err.error.issues?.length) showIssues(err.error.issues);
      else if (isApiCallError(err) && err.code === 'CONFLICT' && creating) {
        showIssues([{ path: 'username', message: t('errorDetails.usernameTaken') }]);
      } else setOtherErrors([errorText(err, t)]);
    } finally {
      setSaving(false);
    }
  };

  const roleOptions = roles.map((r) => ({ value: r, label: t(`roles.${r}`), 'data-testid': `user-form-role-${r}` }));
  const groupOptions = groups.map((g) => ({ value: g.id, label: g.name, 'data-testid': `user-form-group-${g.name}` }));

  return (
    <Modal
      open
      title={creating ? t('users.createTitle') : t('users.editTitle', { username: mode.user.username })}
      onCancel={onClose}
      maskClosable={false}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" loading={saving} onClick={() => form.submit()} data-testid="user-form-submit">
          {creating ? t('common.create') : t('common.save')}
        </Button>,
      ]}
    >
      <Form<UserFormValues>
        form={form}
        layout="vertical"
        initialValues={mode.kind === 'edit' ? formValuesOf(mode.user) : { roles: ['agent'], groupIds: [], extension: '' }}
        onFinish={() => void submit()}
        data-testid="user-form"
      >
        {otherErrors.length > 0 && (
          <Alert type="error" showIcon title={otherErrors.join('；')} style={{ marginBottom: 16 }} data-testid="user-form-error" />
        )}
        {creating && (
          <Form.Item name="username" label={t('users.fields.username')} required>
            <Input autoComplete="off" data-testid="user-form-username" />
          </Form.Item>
        )}
        <Form.Item name="displayName" label={t('users.fields.displayName')} required>
          <Input autoComplete="off" data-testid="user-form-display-name" />
        </Form.Item>
        {creating && (
          <Form.Item name="password" label={t('users.fields.password')} extra={t('users.fields.passwordHint')} required>
            <Input.Password autoComplete="new-password" data-testid="user-form-password" />
          </Form.Item>
        )}
        <Form.Item name="roles" label={t('users.fields.roles')} required>
          <PickList options={roleOptions} data-testid="user-form-roles" />
        </Form.Item>
        <Form.Item name="groupIds" label={t('users.fields.groups')}>
          <PickList options={groupOptions} data-testid="user-form-groups" />
        </Form.Item>
        <Form.Item name="extension" label={t('users.fields.extension')}>
          <Input inputMode="numeric" placeholder={t('users.fields.extensionPlaceholder')} data-testid="user-form-extension" />
        </Form.Item>
        {!creating && (
          <Form.Item name="disabled" label={t('users.fields.disabled')} valuePropName="checked">
            <Switch data-testid="user-form-disabled" />
          </Form.Item>
        )}
        {/* Lets Enter submit from any field. */}
        <button type="submit" hidden />
      </Form>
    </Modal>
  );
}
