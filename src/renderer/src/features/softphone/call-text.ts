/** Words for call and registration states (pure; components and tests share them). */
import type { TFunction } from 'i18next';
import type { CallView, RegistrationView } from '../../stores/softphone-store';

/** 已结束 · 对方忙 (486) */
export function endText(call: CallView, t: TFunction): string {
  const end = call.end;
  if (!end) return t('softphone.callStatus.ended');
  const reason = end.issue ? t(`softphone.issues.${end.issue}`) : t(`softphone.endReasons.${end.reason}`);
  return `${t('softphone.callStatus.ended')} · ${reason}${end.sipCode && end.reason === 'failed' ? ` (${end.sipCode})` : ''}`;
}

export function registrationText(reg: RegistrationView, t: TFunction, now = Date.now()): string {
  const base = t(`softphone.registration.${reg.status}`);
  const parts: string[] = [];
  if ((reg.status === 'failed' || reg.status === 'reconnecting') && reg.issue) {
    parts.push(t(`softphone.issues.${reg.issue}`) + (reg.sipCode ? ` (${reg.sipCode})` : ''));
  }
  if (reg.retryAt && (reg.status === 'failed' || reg.status === 'reconnecting')) {
    parts.push(t('softphone.retryIn', { seconds: Math.max(1, Math.ceil((reg.retryAt - now) / 1000)) }));
  }
  return parts.length > 0 ? `${base}：${parts.join('，')}` : base;
}

/** mm:ss, or h:mm:ss past an hour. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
