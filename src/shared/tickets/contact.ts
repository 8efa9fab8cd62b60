/**
 * Citizens' contact details on tickets: phone numbers normalised for lookup (the screen pop
 * finds a caller's tickets by the number that rings) and masked for lists, and the
 * resident ID number (GB 11643) checked by its check digit.
 */
import { normaliseCallerNumber } from '../phone-number.js';

/**
 * Canonical form of a Chinese phone number: digits only, without +86/0086; mobiles are
 * 11 digits starting with 1, landlines keep their 0-prefixed area code. Returns null when
 * the input is not a plausible number.
 */
export function normalizePhone(input: string): string | null {
  // The same normal form as call records (one rule for "is this the same person"), then
  // only numbers a ticket may hold: foreign (+xx) and malformed numbers are refused.
  const d = normaliseCallerNumber(input);
  if (/^1[3-9]\d{9}$/.test(d)) return d;
  if (/^0[1-9]\d{8,10}$/.test(d)) return d; // area code (3–4 digits incl. 0) + 7–8 digit number
  if (/^[2-9]\d{6,7}$/.test(d)) return d; // local number without area code
  if (/^(1[0-9]{2,4}|9[0-9]{4})$/.test(d)) return d; // service numbers (12345, 95588…)
  return null;
}

/** 138****5678 / 0571****5678: enough to recognise, not enough to call. */
export function maskPhone(normalized: string | null): string | null {
  if (!normalized) return null;
  if (normalized.length <= 5) return normalized;
  const keepStart = normalized.startsWith('0') ? Math.min(4, normalized.length - 4) : 3;
  return `${normalized.slice(0, keepStart)}****${normalized.slice(-4)}`;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** An 18-character resident ID number with a valid check digit (upper-cased X), or null. */
export function normalizeIdNumber(input: string): string | null {
  const s = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(s)) return null;
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(s[i]), 0);
  return ID_CHECK[sum % 11] === s[17] ? s : null;
}

export function maskIdNumber(id: string | null): string | null {
  return id ? `${id.slice(0, 6)}********${id.slice(-4)}` : null;
}
