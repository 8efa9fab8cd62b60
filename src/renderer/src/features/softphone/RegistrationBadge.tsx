/** 已注册 / 重连中 / 注册失败… with the reason. `data-status` is for tests. */
import { useTranslation } from 'react-i18next';
import { Badge, Tooltip } from 'antd';
import { assertNever } from '../../app/assert-never';
import { useSoftphoneStore, type RegistrationStatus } from '../../stores/softphone-store';
import { registrationText } from './call-text';

function badgeStatus(status: RegistrationStatus): 'success' | 'processing' | 'warning' | 'error' | 'default' {
  switch (status) {
    case 'registered':
      return 'success';
    case 'registering':
      return 'processing';
    case 'reconnecting':
      return 'warning';
    case 'failed':
      return 'error';
    case 'unregistered':
      return 'default';
    default:
      return assertNever(status);
  }
}

export function RegistrationBadge({ testId = 'softphone-registration' }: { testId?: string }) {
  const { t } = useTranslation();
  const reg = useSoftphoneStore((s) => s.registration);
  const identity = useSoftphoneStore((s) => s.identity);
  const detail = registrationText(reg, t);
  return (
    <Tooltip title={detail}>
      <span data-testid={testId} data-status={reg.status} data-sip-code={reg.sipCode ?? undefined}>
        <Badge status={badgeStatus(reg.status)} text={identity && reg.status === 'registered' ? `${detail} · ${identity.extension}` : detail} />
      </span>
    </Tooltip>
  );
}
