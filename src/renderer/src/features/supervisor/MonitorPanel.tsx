/** The monitoring session this supervisor runs: status, 监听/业务指导/强插 switch, 退出监控. */
import { useTranslation } from 'react-i18next';
import { Alert, Button, Card, Segmented, Space, Tag } from 'antd';
import { monitorModes, type MonitorMode } from '../../../../shared/api/supervisor.js';
import { supervisorPhone } from '../../services/supervision/supervisor-phone';
import { useMonitorStore } from '../../stores/monitor-store';

const statusColor = { requesting: 'processing', calling: 'processing', active: 'green', ended: 'default', failed: 'red' } as const;

export function MonitorPanel() {
  const { t } = useTranslation();
  const session = useMonitorStore((s) => s.session);
  if (!session) return null;
  const live = session.status === 'active' || session.status === 'calling' || session.status === 'requesting';
  return (
    <Card size="small" title={t('supervisor.monitor.title')} data-testid="monitor-panel" style={{ marginBottom: 16 }}>
      <Space wrap>
        <span>{t('supervisor.monitor.target', { name: session.agentName })}</span>
        <Tag color={statusColor[session.status]} data-testid="monitor-status" data-status={session.status}>
          {t(`supervisor.monitor.status.${session.status}`)}
        </Tag>
        <Segmented<MonitorMode>
          data-testid="monitor-mode"
          value={session.mode}
          disabled={session.status !== 'active' || session.switching}
          options={monitorModes.map((m) => ({ value: m, label: <span data-testid={`monitor-mode-${m}`}>{t(`supervisor.modes.${m}`)}</span> }))}
          onChange={(m) => void supervisorPhone().setMode(m)}
        />
        <Button danger disabled={!live} onClick={() => void supervisorPhone().stop()} data-testid="monitor-leave">
          {t('supervisor.monitor.leave')}
        </Button>
        {!live && (
          <Button size="small" type="text" onClick={() => useMonitorStore.getState().setSession(null)}>
            ×
          </Button>
        )}
      </Space>
      {session.error && <Alert style={{ marginTop: 8 }} type="error" showIcon message={session.error} data-testid="monitor-error" />}
    </Card>
  );
}
