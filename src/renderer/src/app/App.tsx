/** Root: antd/i18n providers, then sign-in or the shell depending on the session. */
import { useTranslation } from 'react-i18next';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import antdEn from 'antd/locale/en_US';
import antdZhCN from 'antd/locale/zh_CN';
import { LoginPage } from '../features/auth/LoginPage';
import { useSessionStore } from '../stores/session-store';
import { AppShell } from './AppShell';
import { assertNever } from './assert-never';

function Root() {
  const { t } = useTranslation();
  const view = useSessionStore((s) => s.view);
  switch (view.status) {
    case 'restoring':
      return (
        <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
          <Spin size="large" description={t('app.loading')} />
        </div>
      );
    case 'signed-out':
      return <LoginPage />;
    case 'signed-in':
      return <AppShell user={view.user} />;
    default:
      return assertNever(view);
  }
}

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? antdEn : antdZhCN}>
      <AntApp>
        <Root />
      </AntApp>
    </ConfigProvider>
  );
}
