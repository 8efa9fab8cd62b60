/**
 * The signed-in frame: header (site, user, roles, connection, 退出 — which 签出s an agent
 * first, asking when they are on a call) and a side menu
 * limited to what the user's roles allow. The page comes from the location hash.
 */
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { App, Button, Layout, Menu, Result, Select, Space, Tag, Typography, type ButtonProps } from 'antd';
import {
  ApartmentOutlined,
  AuditOutlined,
  CloudSyncOutlined,
  DatabaseOutlined,
  DashboardOutlined,
  FileTextOutlined,
  LogoutOutlined,
  PhoneOutlined,
  SoundOutlined,
  UserOutlined,
} from '@ant-design/icons';
import type { CurrentUser } from '../../../shared/api/accounts.js';
import { AgentConsolePage } from '../features/agent-console/AgentConsolePage';
import { AuditPage } from '../features/admin/audit/AuditPage';
import { ProvincePage } from '../features/admin/province/ProvincePage';
import { RefDataPage } from '../features/admin/refdata/RefDataPage';
import { GroupsPage } from '../features/admin/groups/GroupsPage';
import { UsersPage } from '../features/admin/users/UsersPage';
import { SupervisorPage } from '../features/supervisor/SupervisorPage';
import { RecordingsPage } from '../features/recordings/RecordingsPage';
import { TicketsPage } from '../features/tickets/TicketsPage';
import { changeLanguage, currentLanguage, languages, type Language } from '../i18n';
import { signOut } from '../services/session';
import { useSiteStore } from '../stores/site-store';
import { assertNever } from './assert-never';
import { ConnectionBadge } from './ConnectionBadge';
import { allowedPages, resolvePage, type Page, type PagePath } from './routes';
import { navigate, useHash } from './use-hash';

const navIcons: Record<Page['nav'], ReactNode> = {
  agent: <PhoneOutlined />,
  tickets: <FileTextOutlined />,
  supervisor: <DashboardOutlined />,
  recordings: <SoundOutlined />,
  users: <UserOutlined />,
  groups: <ApartmentOutlined />,
  refdata: <DatabaseOutlined />,
  audit: <AuditOutlined />,
  province: <CloudSyncOutlined />,
};

const languageLabels: Record<Language, string> = { 'zh-CN': '中文', en: 'English' };

function PageContent({ path }: { path: PagePath }) {
  switch (path) {
    case '/agent':
      return <AgentConsolePage />;
    case '/supervisor':
      return <SupervisorPage />;
    case '/recordings':
      return <RecordingsPage />;
    case '/tickets':
      return <TicketsPage />;
    case '/admin/users':
      return <UsersPage />;
    case '/admin/groups':
      return <GroupsPage />;
    case '/admin/refdata':
      return <RefDataPage />;
    case '/admin/audit':
      return <AuditPage />;
    case '/admin/province':
      return <ProvincePage />;
    default:
      return assertNever(path);
  }
}

export function AppShell({ user }: { user: CurrentUser }) {
  const { t } = useTranslation();
  const site = useSiteStore((s) => s.site);
  const hash = useHash();
  const { page, redirect } = resolvePage(hash, user.roles);
  const { modal } = App.useApp();

  /** 退出. From the agent console the server 签出s first; on a call the agent decides. */
  const logout = (): void => {
    void signOut().then((outcome) => {
      if (outcome.kind !== 'on-call') return;
      modal.confirm({
        title: t('header.logoutOnCallTitle'),
        content: t('header.logoutOnCall', { message: outcome.message.replace(/[。.]$/, '') }),
        okText: t('header.logoutAnyway'),
        okButtonProps: { danger: true, 'data-testid': 'logout-anyway' } as ButtonProps,
        cancelText: t('common.cancel'),
        onOk: () => signOut({ keepAgentSignedIn: true }),
      });
    });
  };

  useEffect(() => {
    if (redirect && page) navigate(page, { replace: true });
  }, [redirect, page]);

  const menuItems = allowedPages(user.roles).map((p) => ({
    key: p.path,
    icon: navIcons[p.nav],
    label: t(`nav.${p.nav}`),
    'data-testid': `nav-${p.nav}`,
  }));

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, paddingInline: 20 }}>
        <Typography.Text strong style={{ color: '#fff', fontSize: 16, whiteSpace: 'nowrap' }} data-testid="site-name">
          {site?.name ?? t('app.name')}
        </Typography.Text>
        <div style={{ flex: 1 }} />
        <Space size="middle" style={{ color: '#fff' }}>
          <span style={{ background: '#fff', borderRadius: 4, padding: '2px 8px', lineHeight: '22px' }}>
            <ConnectionBadge />
          </span>
          <span data-testid="current-user">{user.displayName}</span>
          <span data-testid="current-roles">
            {user.roles.map((r) => (
              <Tag key={r} color="blue" variant="outlined" style={{ marginInlineEnd: 4 }}>
                {t(`roles.${r}`)}
              </Tag>
            ))}
          </span>
          <Select<Language>
            size="small"
            value={currentLanguage()}
            onChange={(lang) => void changeLanguage(lang)}
            options={languages.map((l) => ({ value: l, label: languageLabels[l] }))}
            aria-label={t('app.language')}
            style={{ width: 96 }}
          />
          <Button icon={<LogoutOutlined />} onClick={logout} data-testid="logout-button">
            {t('header.logout')}
          </Button>
        </Space>
      </Layout.Header>
      <Layout>
        <Layout.Sider width={200} theme="light" breakpoint="lg" collapsedWidth={0}>
          <Menu
            mode="inline"
            selectedKeys={page ? [page] : []}
            items={menuItems}
            onClick={({ key }) => navigate(key)}
            style={{ height: '100%', borderInlineEnd: 0 }}
          />
        </Layout.Sider>
        <Layout.Content style={{ padding: 24 }}>
          {page ? (
            <PageContent key={page} path={page} />
          ) : (
            <Result status="info" title={t('app.noAccessTitle')} subTitle={t('app.noAccess')} data-testid="no-access" />
          )}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
