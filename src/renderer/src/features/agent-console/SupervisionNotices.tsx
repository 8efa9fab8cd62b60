/**
 * What the agent sees of supervision: "班长监听中" while a supervisor is on the call (when the
 * site shows it; always for whisper and barge), and supervisors' messages and forced
 * 示忙/签出 as pop-up notifications.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { App, Tag } from 'antd';
import { EyeOutlined } from '@ant-design/icons';
import { useMonitorStore } from '../../stores/monitor-store';

/** Page-wide, so a remount does not repeat old notes. */
let lastShown = 0;

export function MonitorIndicator() {
  const { t } = useTranslation();
  const indicator = useMonitorStore((s) => s.indicator);
  if (!indicator) return null;
  return (
    <Tag color="magenta" icon={<EyeOutlined />} data-testid="monitor-indicator" data-mode={indicator.mode}>
      {t(`supervision.indicator.${indicator.mode}`)}
      {t('supervision.by', { name: indicator.supervisorName })}
    </Tag>
  );
}

export function SupervisorNotes() {
  const { t } = useTranslation();
  const { notification } = App.useApp();
  const notes = useMonitorStore((s) => s.notes);
  useEffect(() => {
    for (const n of notes) {
      if (n.seq <= lastShown) continue;
      lastShown = n.seq;
      if (n.kind === 'message') {
        notification.info({
          message: t('supervision.message', { from: n.from }),
          description: <span data-testid="supervisor-message">{n.text}</span>,
          duration: 0,
          placement: 'topRight',
        });
      } else {
        notification.warning({ message: <span data-testid="supervisor-forced" data-kind={n.kind}>{t(`supervision.${n.kind}`, { from: n.from })}</span>, duration: 8 });
      }
    }
  }, [notes, notification, t]);
  return null;
}
