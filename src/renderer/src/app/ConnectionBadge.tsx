/** 已连接 / 重连中 indicator for the realtime connection. `data-status` is for tests. */
import { useTranslation } from 'react-i18next';
import { Badge } from 'antd';
import { useConnectionStore, type ConnectionStatus } from '../stores/connection-store';
import { assertNever } from './assert-never';

function badgeStatus(status: ConnectionStatus): 'success' | 'processing' | 'warning' | 'default' {
  switch (status) {
    case 'connected':
      return 'success';
    case 'connecting':
      return 'processing';
    case 'reconnecting':
      return 'warning';
    case 'offline':
      return 'default';
    default:
      return assertNever(status);
  }
}

export function ConnectionBadge() {
  const { t } = useTranslation();
  const status = useConnectionStore((s) => s.status);
  return (
    <span data-testid="connection-status" data-status={status}>
      <Badge status={badgeStatus(status)} text={t(`header.connection.${status}`)} />
    </span>
  );
}
