/** SIP final responses → what the agent is told (plain zh-CN via `softphone.issues.*`). */
import type { SoftphoneIssue } from './issues';

export function sipStatusIssue(statusCode: number): SoftphoneIssue {
  switch (statusCode) {
    case 404:
    case 410:
    case 604:
      return 'notFound';
    case 486:
    case 600:
      return 'busy';
    case 480:
      return 'unavailable';
    case 503:
      return 'serviceUnavailable';
    case 408:
      return 'noAnswer';
    case 487:
      return 'cancelled';
    case 603:
      return 'declined';
    case 403:
      return 'forbidden';
    case 484:
      return 'incomplete';
    case 488:
    case 606:
      return 'incompatible';
    case 401:
    case 407:
      return 'authFailed';
    default:
      if (statusCode >= 600) return 'declined';
      if (statusCode >= 500) return 'serverError';
      return 'callFailed';
  }
}
