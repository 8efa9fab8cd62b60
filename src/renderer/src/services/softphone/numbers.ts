/**
 * Which numbers an agent may dial (回拨, 转接) and how they are normalised before they
 * become a SIP Request-URI user part. Mainland China numbering only:
 * - mobile: 1[3-9] + 9 digits (11 digits), optionally written with +86 / 0086;
 * - landline: 0 + area code + local number, 10–12 digits in all (010-12345678, 0755-1234567);
 * - service short numbers: 3-digit 11x/12x (110, 120, 119, 122), 5-digit 1xxxx (12345, 12315),
 *   95xxx/96xxx service lines;
 * - internal extensions: 3–8 digits not starting with 0.
 * Spaces, dashes, dots and brackets are ignored.
 */
import type { SoftphoneIssue } from './issues';

export type NumberKind = 'mobile' | 'landline' | 'service' | 'extension';

export type NumberCheck =
  | { ok: true; kind: NumberKind; /** digits only, ready for sip:<dial>@domain */ dial: string }
  | { ok: false; issue: SoftphoneIssue };

const separators = /[\s\-().（）—]/g;

export function checkDialNumber(input: string): NumberCheck {
  let n = input.replace(separators, '');
  if (n === '') return { ok: false, issue: 'numberEmpty' };
  if (n.startsWith('+86')) n = n.slice(3);
  else if (n.startsWith('0086')) n = n.slice(4);
  else if (n.startsWith('+')) return { ok: false, issue: 'numberInvalid' };
  if (!/^\d+$/.test(n)) return { ok: false, issue: 'numberChars' };
  if (input.trim().startsWith('+') || input.trim().startsWith('0086')) {
    // international form: mobile as is, landline without its trunk 0 (+86 10 12345678)
    if (/^1\d{10}$/.test(n)) return mobile(n);
    n = `0${n}`;
  }
  if (n.startsWith('0')) {
    return /^0[1-9]\d{8,10}$/.test(n) ? { ok: true, kind: 'landline', dial: n } : { ok: false, issue: 'numberLandline' };
  }
  if (n.length >= 9 && n.startsWith('1')) return mobile(n);
  if (/^(1[12]\d|1[0-2]\d{3}|9[56]\d{3})$/.test(n)) return { ok: true, kind: 'service', dial: n };
  if (/^[1-9]\d{2,7}$/.test(n)) return { ok: true, kind: 'extension', dial: n };
  return { ok: false, issue: 'numberInvalid' };
}

function mobile(n: string): NumberCheck {
  return /^1[3-9]\d{9}$/.test(n) ? { ok: true, kind: 'mobile', dial: n } : { ok: false, issue: 'numberMobile' };
}

/**
 * The number to show for the far end of a call: the SIP URI user part when it is a phone
 * number or extension, else the display name, else the raw user part.
 */
export function displayNumber(uriUser: string | undefined, displayName: string | undefined): string {
  const user = (uriUser ?? '').trim();
  if (/^\+?\d+$/.test(user)) return user;
  const name = (displayName ?? '').trim().replace(/^"|"$/g, '');
  return name || user || '';
}
