/**
 * An agent's 求助 on this supervisor's phone: who asks and for which caller, 接听 / 拒绝 while
 * it rings, 挂断 once connected (with the agent, or with the caller after the agent completed
 * the transfer). Test ids: escalation-card (data-status), escalation-answer,
 * escalation-decline, escalation-hangup.
 */
import { useTranslation } from 'react-i18next';
import { Button, Card, Space, Tag, Typography } from 'antd';
import { supervisorPhone } from '../../services/supervision/supervisor-phone';
import { useEscalationStore } from '../../stores/escalation-store';

const statusColor = { ringing: 'orange', talking: 'green', with_caller: 'green', ended: 'default' } as const;

export function EscalationCard() {
  const { t } = useTranslation();
  const incoming = useEscalationStore((s) => s.incoming);
  if (!incoming) return null;
  const e = incoming.escalation;
  return (
    <Card size="small" title={t('supervision.incoming')} data-testid="escalation-card" data-status={incoming.status} style={{ marginBottom: 16, borderColor: '#fa8c16' }}>
      <Space wrap>
        <Typography.Text strong data-testid="escalation-from">
          {t('supervision.incomingFrom', { agent: e?.agent.name ?? '', number: e?.remoteNumber ?? '' })}
        </Typography.Text>
        <Tag color={statusColor[incoming.status]}>{t(`supervision.status.${incoming.status}`)}</Tag>
        {incoming.status === 'ringing' && (
          <>
            <Button type="primary" onClick={() => void supervisorPhone().answerHelp()} data-testid="escalation-answer">
              {t('supervision.answer')}
            </Button>
            <Button danger onClick={() => supervisorPhone().declineHelp()} data-testid="escalation-decline">
              {t('supervision.decline')}
            </Button>
          </>
        )}
        {(incoming.status === 'talking' || incoming.status === 'with_caller') && (
          <Button danger onClick={() => supervisorPhone().hangupHelp()} data-testid="escalation-hangup">
            {t('supervision.hangup')}
          </Button>
        )}
        {incoming.status === 'ended' && (
          <Button size="small" type="text" onClick={() => useEscalationStore.getState().setIncoming(null)}>
            ×
          </Button>
        )}
      </Space>
    </Card>
  );
}
