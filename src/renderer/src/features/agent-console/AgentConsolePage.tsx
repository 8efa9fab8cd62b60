/**
 * 坐席工作台: the incoming-call view (来电弹屏) on top while a call is offered or just ended,
 * then the softphone, its devices, the agent state and the agent's home (today's figures,
 * callbacks and due tickets, supervisors' notices).
 */
import { useTranslation } from 'react-i18next';
import { Card, Col, Row, Space, Tag, Typography } from 'antd';
import { useCurrentUser } from '../../stores/session-store';
import { DeviceSettings } from '../softphone/DeviceSettings';
import { SoftphoneNotices } from '../softphone/SoftphoneNotices';
import { AgentStatePanel } from './agent-state/AgentStatePanel';
import { AgentHome } from './home/AgentHome';
import { IncomingCallView } from './screen-pop/IncomingCallView';
import { SoftphonePanel } from './softphone/SoftphonePanel';
import { MonitorIndicator, SupervisorNotes } from './SupervisionNotices';

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
        <Col span={24}>
          <IncomingCallView />
        </Col>
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
      </Row>
      <div style={{ marginTop: 16 }}>
        <AgentHome />
      </div>
    </div>
  );
}
