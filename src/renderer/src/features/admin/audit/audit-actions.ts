/**
 * Audit action names the console knows how to label (`auth.login` → 登录). Unknown actions
 * are shown verbatim, so the server can add actions before the console learns them.
 */
import type { Messages } from '../../../i18n/zh-CN';

export const knownAuditActions = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.locked',
  'user.created',
  'user.updated',
  'user.roles_changed',
  'user.password_reset',
  'user.password_changed',
  'user.unlocked',
  'session.revoked',
  'session.refresh_reuse',
  'session.replaced',
  'group.created',
  'group.updated',
  // 班长 (supervisor): monitoring calls and controlling agents.
  'monitor.request',
  'monitor.start',
  'monitor.mode',
  'monitor.end',
  'monitor.refused',
  'agent.force_not_ready',
  'agent.force_sign_out',
  'agent.message',
] as const;
export type KnownAuditAction = (typeof knownAuditActions)[number];

type KeyOf<A extends string> = A extends `${infer Domain}.${infer Verb}` ? `${Domain}_${Verb}` : A;
export type AuditActionKey = KeyOf<KnownAuditAction>;

// Compile-time check: the message files label exactly these actions.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const labelsMatch: Exact<keyof Messages['auditActions'], AuditActionKey> = true;
void labelsMatch;

/** The i18n key under `auditActions` for an action, or null if it has no label. */
export function auditActionKey(action: string): AuditActionKey | null {
  const known = knownAuditActions.find((a) => a === action);
  return known ? (known.replace('.', '_') as AuditActionKey) : null;
}
