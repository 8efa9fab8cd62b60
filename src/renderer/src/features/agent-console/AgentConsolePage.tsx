/**
 * 坐席工作台. Placeholder panels until the softphone (services/softphone), agent state
 * machine, caller view and tickets land; the layout is the one they will fill.
 */
import { useTranslation } from 'react-i18next';
import { Card, Col, Row, Space, Tag, Typography } from 'antd';
import { useCurrentUser } from '../../stores/session-store';

type PanelKey = 'softphone' | 'agentState' | 'caller' | 'tickets';
const panels: readonly { key: PanelKey; note: `${PanelKey}Note`; span: number }[] = [
  { key: 'softphone', note: 'softphoneNote', span: 12 },
  { key: 'agentState', note: 'agentStateNote', span: 12 },
  { key: 'caller', note: 'callerNote', span: 12 },
  { key: 'tickets', note: 'ticketsNote', span: 12 },
];

export function AgentConsolePage() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  return (
    <div data-testid="agent-console">
      <Space align="center" style={{ marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('agentConsole.title')}
        </Typography.Title>
        <Tag color={user.extension ? 'green' : 'default'} data-testid="agent-extension">
          {user.extension ? t('agentConsole.extension', { extension: user.extension }) : t('agentConsole.noExtension')}
        </Tag>
      </Space>
      <Row gutter={[16, 16]}>
        {panels.map((p) => (
          <Col key={p.key} xs={24} xl={p.span}>
            <Card title={t(`agentConsole.${p.key}`)} extra={<Tag>{t('common.comingSoon')}</Tag>} data-testid={`panel-${p.key}`}>
              <Typography.Text type="secondary">{t(`agentConsole.${p.note}`)}</Typography.Text>
            </Card>
          </Col>
        ))}
      </Row>
    </div>
  );
}
