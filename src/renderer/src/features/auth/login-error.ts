/** What the sign-in page shows for a failed attempt. Pure, so it is unit-tested. */
import type { TFunction } from 'i18next';
import { errorText, issueMessages } from '../../i18n/error-text';
import { isApiCallError } from '../../services/api-client';

export interface LoginErrorView {
  message: string;
  /** Field problems (VALIDATION_FAILED), already in the user's language. */
  details: string[];
  /** The server could not be reached: offer 重试. */
  retryable: boolean;
}

export function loginErrorView(err: unknown, t: TFunction): LoginErrorView {
  return {
    message: errorText(err, t),
    details: issueMessages(err),
    retryable: isApiCallError(err) && err.code === 'UNAVAILABLE',
  };
}
