/** 重置密码: sets a new password (the server signs the user out everywhere). */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, App, Button, Form, Input, Modal, Typography } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import { ResetPasswordSchema, type User } from '../../../../../shared/api/accounts.js';
import { errorText } from '../../../i18n/error-text';
import { isApiCallError } from '../../../services/api-client';
import { call } from '../../../services/session';
import { placeIssues, validate, type Issue } from '../form-issues';

interface Props {
  user: User;
  onClose(): void;
}

const fields = ['password'] as const;

export function ResetPasswordModal({ user, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ password?: string }>();
  const [saving, setSaving] = useState(false);
  const [otherErrors, setOtherErrors] = useState<string[]>([]);

  const showIssues = (issues: readonly Issue[]): void => {
    const { byField, other } = placeIssues(issues, fields);
    form.setFields([{ name: 'password', errors: byField.password ?? [] }]);
    setOtherErrors(other);
  };

  const submit = async (): Promise<void> => {
    const body = { password: form.getFieldValue('password') ?? '' };
    const issues = validate(ResetPasswordSchema, body);
    showIssues(issues);
    if (issues.length > 0) return;
    setSaving(true);
    try {
      await call(api.resetPassword, { params: { id: user.id }, body });
      void message.success(t('users.passwordWasReset'));
      onClose();
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
      title={t('users.resetPasswordTitle', { username: user.username })}
      onCancel={onClose}
      maskClosable={false}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" danger loading={saving} onClick={() => form.submit()} data-testid="reset-password-submit">
          {t('users.resetPassword')}
        </Button>,
      ]}
    >
      <Typography.Paragraph type="secondary">{t('users.resetPasswordNote')}</Typography.Paragraph>
      {otherErrors.length > 0 && <Alert type="error" showIcon title={otherErrors.join('；')} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={() => void submit()}>
        <Form.Item name="password" label={t('users.newPassword')} extra={t('users.fields.passwordHint')} required>
          <Input.Password autoComplete="new-password" data-testid="reset-password-input" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
