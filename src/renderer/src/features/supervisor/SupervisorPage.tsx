/** 班长监控. Placeholder for the live wallboard of the supervisor's groups. */
import { useTranslation } from 'react-i18next';
import { Card, Tag, Typography } from 'antd';

export function SupervisorPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="supervisor-page">
      <Typography.Title level={4}>{t('supervisor.title')}</Typography.Title>
      <Card title={t('supervisor.wallboard')} extra={<Tag>{t('common.comingSoon')}</Tag>}>
        <Typography.Text type="secondary">{t('supervisor.wallboardNote')}</Typography.Text>
      </Card>
    </div>
  );
}
