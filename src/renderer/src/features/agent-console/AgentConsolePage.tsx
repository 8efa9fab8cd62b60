/**
 * 坐席工作台: the softphone, its devices and the agent state are live; caller view and
 * tickets are placeholders until their issues land (the layout is the one they will fill).
 */
import { useTranslation } from 'react-i18next';
import { Card, Col, Row, Space, Tag, Typography } from 'antd';
import { useCurrentUser } from '../../stores/session-store';
import { DeviceSettings } from '../softphone/DeviceSettings';
import { SoftphoneNotices } from '../softphone/SoftphoneNotices';
import { AgentStatePanel } from './agent-state/AgentStatePanel';
import { SoftphonePanel } from './softphone/SoftphonePanel';
import { MonitorIndicator, SupervisorNotes } from './SupervisionNotices';

type PanelKey = 'caller' | 'tickets';
const panels: readonly { key: PanelKey; note: `${PanelKey}Note`; span: number }[] = [
  { key: 'caller', note: 'callerNote', span: 12 },
  { key: 'tickets', note: 'ticketsNote', span: 12 },
];

export function AgentConsolePage() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  return (
    <div data-testid="agent-console">
      <SoftphoneNotices />
      <SupervisorNotes />
      <Space align="center" style={{ marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('agentConsole.title')}
        </Typography.Title>
        <Tag color={user.extension ? 'green' : 'default'} data-testid="agent-extension">
          {user.extension ? t('agentConsole.extension', { extension: user.extension }) : t('agentConsole.noExtension')}
        </Tag>
        <MonitorIndicator />
      </Space>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <SoftphonePanel />
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('softphone.devices')} data-testid="panel-devices">
            <DeviceSettings />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <AgentStatePanel />
        </Col>
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
