/**
 * Error codes → the user's language. Messages from the server are never shown as such
 * (they are English and technical); only `code`, `retryAfter` and field `issues` are used.
 * Field issues already carry user-facing text from the shared zod schemas.
 */
import type { TFunction } from 'i18next';
import { isApiCallError } from '../services/api-client';

export function errorText(err: unknown, t: TFunction): string {
  if (!isApiCallError(err)) return t('errors.INTERNAL');
  const { code, retryAfter } = err.error;
  if (code === 'ACCOUNT_LOCKED' && retryAfter !== undefined && retryAfter > 0) {
    return t('errorDetails.lockedMinutes', { minutes: Math.max(1, Math.ceil(retryAfter / 60)) });
  }
  if (code === 'RATE_LIMITED' && retryAfter !== undefined && retryAfter > 0) {
    return t('errorDetails.rateLimitedSeconds', { seconds: retryAfter });
  }
  return t(`errors.${code}`);
}

/** VALIDATION_FAILED issue messages, for errors that have no form field to sit on. */
export function issueMessages(err: unknown): string[] {
  if (!isApiCallError(err) || err.code !== 'VALIDATION_FAILED') return [];
  return (err.error.issues ?? []).map((i) => i.message);
}
