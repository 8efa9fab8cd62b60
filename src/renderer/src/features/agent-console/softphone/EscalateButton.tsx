/**
 * 求助 (升级) on the agent's call: asks the backend for an online supervisor of the agent's
 * group and calls them as a consult (services/supervision/escalation.ts); the consult panel
 * then offers 完成转接 / 取消咨询. Test ids: escalate-button, escalate-status (data-status).
 */
import { useTranslation } from 'react-i18next';
import { Button, Tag } from 'antd';
import { AlertOutlined } from '@ant-design/icons';
import { askForHelp } from '../../../services/supervision/escalation';
import { useEscalationStore } from '../../../stores/escalation-store';

export function EscalateButton({ disabled }: { disabled: boolean }) {
  const { t } = useTranslation();
  const asked = useEscalationStore((s) => s.asked);
  const asking = asked?.status === 'asking';
  return (
    <>
      <Button icon={<AlertOutlined />} disabled={disabled || asking} loading={asking} onClick={() => void askForHelp()} data-testid="escalate-button">
        {t('supervision.escalate')}
      </Button>
      {asked && (asked.status === 'failed' || asked.status === 'calling') && (
        <Tag color={asked.status === 'failed' ? 'red' : 'blue'} data-testid="escalate-status" data-status={asked.status}>
          {asked.status === 'failed' ? asked.error ?? t('supervision.escalateFailed') : t('supervision.escalating', { name: asked.escalation?.supervisor.name ?? '' })}
        </Tag>
      )}
    </>
  );
}
