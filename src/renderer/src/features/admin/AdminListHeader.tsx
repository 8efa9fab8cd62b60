/**
 * The top of an admin list page: title, 刷新 and a create button, and the load-failed alert
 * with 重试 — the same on every list so they behave alike.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Button, Space, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { errorText } from '../../i18n/error-text';

export function AdminListHeader(props: { title: ReactNode; createLabel: ReactNode; createTestId: string; onCreate(): void; onReload(): void; error: unknown }) {
  const { t } = useTranslation();
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {props.title}
        </Typography.Title>
        <Space>
          <Button icon={<ReloadOutlined />} onClick={props.onReload}>
            {t('common.refresh')}
          </Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={props.onCreate} data-testid={props.createTestId}>
            {props.createLabel}
          </Button>
        </Space>
      </Space>
      {props.error !== undefined && (
        <Alert
          type="error"
          showIcon
          title={t('common.loadFailed', { reason: errorText(props.error, t) })}
          action={<Button size="small" onClick={props.onReload}>{t('common.retry')}</Button>}
          style={{ marginBottom: 16 }}
        />
      )}
    </>
  );
}
