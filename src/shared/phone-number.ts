/**
 * The one normal form of a caller's number, used wherever calls are matched to a person:
 * call records, callback tasks, screen-pop history. Mainland numbering: digits only, national
 * form (mobile 1xxxxxxxxxx, landline 0 + area code + number); country prefixes (+86, 0086,
 * 86 before a mobile) and separators dropped; extensions and service numbers as dialled.
 * A withheld or non-numeric caller normalises to '' (nothing to match, nobody to call back).
 */
const separators = /[\s\-().（）—]/g;

export function normaliseCallerNumber(raw: string): string {
  let n = raw.trim();
  // A SIP URI or "name <sip:user@host>": the user part is the number.
  const uri = /sips?:([^@;>]+)/i.exec(n);
  if (uri) n = uri[1]!;
  n = n.replace(separators, '');
  let international = false;
  if (n.startsWith('+')) {
    if (!n.startsWith('+86')) return /^\+\d{6,15}$/.test(n) ? n : '';
    n = n.slice(3);
    international = true;
  } else if (n.startsWith('0086')) {
    n = n.slice(4);
    international = true;
  } else if (/^861[3-9]\d{9}$/.test(n)) {
    n = n.slice(2);
  }
  if (!/^\d{3,20}$/.test(n)) return '';
  // +86 10 12345678: a landline written internationally has lost its trunk 0.
  if (international && !/^1\d{10}$/.test(n) && !n.startsWith('0')) n = `0${n}`;
  return n;
}
