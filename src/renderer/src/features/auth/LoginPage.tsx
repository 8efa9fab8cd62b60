/**
 * 登录. Web mode talks to the origin that served the page; desktop mode asks for the
 * server URL (remembered by main). The submit click also unlocks audio for ringtones.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { LockOutlined, LinkOutlined, UserOutlined } from '@ant-design/icons';
import { ApiCallError } from '../../services/api-client';
import { unlockAudio } from '../../services/audio-unlock';
import { isDesktop } from '../../services/desktop';
import { changeServerUrl, normalizeServerUrl, resolveServerUrl } from '../../services/server-url';
import { loadSiteInfo, restoreSession, signIn } from '../../services/session';
import { useSessionStore } from '../../stores/session-store';
import { useSiteStore } from '../../stores/site-store';
import { loginErrorView } from './login-error';
import { currentLanguage } from '../../i18n';

/** The last username, so agents on their own seat only type the password. Not secret. */
const LAST_USERNAME_KEY = 'hotline.lastUsername';
function lastUsername(): string | undefined {
  try {
    return window.localStorage.getItem(LAST_USERNAME_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
function rememberUsername(username: string): void {
  try {
    window.localStorage.setItem(LAST_USERNAME_KEY, username.trim());
  } catch {
    // not remembered: fine
  }
}
const originOf = (url: string | null): string | null => (url ? new URL(url).origin : null);

/** Shown when a stored session could not be resumed because the server was unreachable. */
const resumeUnavailable = new ApiCallError({ statusCode: 0, code: 'UNAVAILABLE', message: 'Could not resume the session' });

interface LoginValues {
  serverUrl?: string;
  username: string;
  password: string;
}

export function LoginPage() {
  const { t } = useTranslation();
  const [form] = Form.useForm<LoginValues>();
  const site = useSiteStore((s) => s.site);
  const view = useSessionStore((s) => s.view);
  const dismissNotice = useSessionStore((s) => s.dismissNotice);
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const [switchingServer, setSwitchingServer] = useState(false);
  const desktop = isDesktop();

  const ended = view.status === 'signed-out' ? view.ended : null;
  const resumeFailed = view.status === 'signed-out' && view.resumeFailed;
  const replacedBy = view.status === 'signed-out' ? (view.replacedBy ?? null) : null;
  const endedText =
    ended === 'replaced' && replacedBy
      ? t('sessionEnded.replacedBy', {
          seat: replacedBy.seat ?? replacedBy.ip ?? '?',
          time: new Date(replacedBy.at).toLocaleTimeString(currentLanguage(), { hour12: false }),
        })
      : ended
        ? t(`sessionEnded.${ended}`)
        : '';

  useEffect(() => {
    if (!desktop) return;
    resolveServerUrl().then(
      (url) => {
        if (url && !form.getFieldValue('serverUrl')) form.setFieldValue('serverUrl', url);
      },
      () => undefined,
    );
  }, [desktop, form]);

  const onFinish = async (values: LoginValues): Promise<void> => {
    setError(null);
    dismissNotice();
    setSubmitting(true);
    try {
      rememberUsername(values.username);
      if (desktop && values.serverUrl) {
        const before = originOf(await resolveServerUrl());
        const after = originOf(await changeServerUrl(values.serverUrl));
        if (after !== before) {
          // Main reloads the window so its CSP admits the new server; sign in after that.
          setSwitchingServer(true);
          return;
        }
        void loadSiteInfo();
      }
      await signIn(values.username, values.password);
    } catch (err) {
      setError(err);
    } finally {
      setSubmitting(false);
    }
  };

  const retry = (): void => {
    setError(null);
    void loadSiteInfo();
    if (resumeFailed) void restoreSession();
    else form.submit();
  };

  const errorView = error ? loginErrorView(error, t) : resumeFailed ? loginErrorView(resumeUnavailable, t) : null;

  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5' }}>
      <Card style={{ width: 400 }} data-testid="login-page">
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <div style={{ textAlign: 'center' }}>
            <Typography.Title level={3} style={{ marginBottom: 4 }}>
              {site?.name ?? t('app.name')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('login.title')}</Typography.Text>
          </div>

          {ended && (
            <Alert
              type={ended === 'logout' ? 'success' : 'warning'}
              showIcon
              title={endedText}
              data-testid="session-ended-message"
            />
          )}

          {switchingServer && <Alert type="info" showIcon title={t('login.switchingServer')} data-testid="login-switching-server" />}

          {errorView && (
            <Alert
              type="error"
              showIcon
              data-testid="login-error"
              title={errorView.message}
              description={
                errorView.details.length > 0 ? (
                  <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                    {errorView.details.map((d) => (
                      <li key={d}>{d}</li>
                    ))}
                  </ul>
                ) : undefined
              }
              action={
                errorView.retryable ? (
                  <Button size="small" onClick={retry} data-testid="login-retry">
                    {t('login.retry')}
                  </Button>
                ) : undefined
              }
            />
          )}

          <Form<LoginValues>
            form={form}
            layout="vertical"
            requiredMark={false}
            onFinish={(v) => void onFinish(v)}
            initialValues={{ username: lastUsername() }}
            onValuesChange={() => ended && dismissNotice()}
            autoComplete="on"
          >
            {desktop && (
              <Form.Item
                name="serverUrl"
                label={t('login.serverUrl')}
                rules={[
                  {
                    validator: (_, value: string | undefined) =>
                      value && normalizeServerUrl(value) ? Promise.resolve() : Promise.reject(new Error(t('login.serverUrlInvalid'))),
                  },
                ]}
              >
                <Input prefix={<LinkOutlined />} placeholder={t('login.serverUrlPlaceholder')} data-testid="login-server-url" />
              </Form.Item>
            )}
            <Form.Item name="username" label={t('login.username')} rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}>
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus={!lastUsername()} data-testid="login-username" />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" autoFocus={!!lastUsername()} data-testid="login-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={submitting} onClick={unlockAudio} data-testid="login-submit">
              {t('login.submit')}
            </Button>
          </Form>

          {site?.demo && <Alert type="info" title={t('login.demoTitle')} description={t('login.demoHint')} data-testid="demo-hint" />}
          {site && (
            <Typography.Text type="secondary" style={{ display: 'block', textAlign: 'center', fontSize: 12 }}>
              {t('login.version', { version: site.version })}
            </Typography.Text>
          )}
        </Space>
      </Card>
    </div>
  );
}
