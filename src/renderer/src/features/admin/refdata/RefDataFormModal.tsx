/**
 * The create/edit modal every 基础数据 form shares: checks the body with the contract's
 * schema before sending, puts the issues (client's or the server's VALIDATION_FAILED) on
 * the fields, a CONFLICT on the field that must be unique, anything else above the form.
 * The caller supplies the fields (Form.Items named like the contract) and the request.
 */
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, App, Button, Form, Modal, type FormInstance } from 'antd';
import type { z } from 'zod';
import { errorText } from '../../../i18n/error-text';
import { isApiCallError } from '../../../services/api-client';
import { placeIssues, validate, type Issue } from '../form-issues';

interface Props<V, B, F extends string> {
  title: string;
  /** Prefix of the form's test ids: `<testId>` on the form, `<testId>-submit`, `<testId>-error`. */
  testId: string;
  creating: boolean;
  fields: readonly F[];
  initialValues: V;
  schema: z.ZodType;
  toBody(values: V): B;
  save(body: B): Promise<unknown>;
  successText(body: B): string;
  /** Where a CONFLICT (unique constraint) answer goes, with its text. */
  conflict?: { field: F; message: string };
  onClose(): void;
  onSaved(): void;
  children: (form: FormInstance<V>) => ReactNode;
}

export function RefDataFormModal<V extends object, B, F extends string>(props: Props<V, B, F>) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<V>();
  const [saving, setSaving] = useState(false);
  const [otherErrors, setOtherErrors] = useState<string[]>([]);

  const showIssues = (issues: readonly Issue[]): void => {
    const { byField, other } = placeIssues(issues, props.fields);
    form.setFields(props.fields.map((name) => ({ name: name as never, errors: byField[name] ?? [] })));
    setOtherErrors(other);
  };

  const submit = async (): Promise<void> => {
    const body = props.toBody(form.getFieldsValue(true) as V);
    const issues = validate(props.schema, body);
    showIssues(issues);
    if (issues.length > 0) return;
    setSaving(true);
    try {
      await props.save(body);
      void message.success(props.successText(body));
      props.onSaved();
    } catch (err) {
      if (isApiCallError(err) && err.code === 'VALIDATION_FAILED' && err.error.issues?.length) showIssues(err.error.issues);
      else if (isApiCallError(err) && err.code === 'CONFLICT' && props.conflict) showIssues([{ path: props.conflict.field, message: props.conflict.message }]);
      else setOtherErrors([errorText(err, t)]);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      width={640}
      title={props.title}
      onCancel={props.onClose}
      maskClosable={false}
      footer={[
        <Button key="cancel" onClick={props.onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" loading={saving} onClick={() => form.submit()} data-testid={`${props.testId}-submit`}>
          {props.creating ? t('common.create') : t('common.save')}
        </Button>,
      ]}
    >
      {otherErrors.length > 0 && (
        <Alert type="error" showIcon title={otherErrors.join('；')} style={{ marginBottom: 16 }} data-testid={`${props.testId}-error`} />
      )}
      <Form<V> form={form} layout="vertical" initialValues={props.initialValues} onFinish={() => void submit()} data-testid={props.testId}>
        {props.children(form)}
        {/* Lets Enter submit from any field. */}
        <button type="submit" hidden />
      </Form>
    </Modal>
  );
}
