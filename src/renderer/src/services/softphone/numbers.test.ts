import { describe, expect, it } from 'vitest';
import { checkDialNumber, displayNumber } from './numbers';

describe('checkDialNumber', () => {
  it.each([
    ['13800138000', 'mobile', '13800138000'],
    ['138 0013 8000', 'mobile', '13800138000'],
    ['+86 138-0013-8000', 'mobile', '13800138000'],
    ['008619912345678', 'mobile', '19912345678'],
    ['010-12345678', 'landline', '01012345678'],
    ['0755-1234567', 'landline', '07551234567'],
    ['(0571) 8765 4321', 'landline', '057187654321'],
    ['+86 10 12345678', 'landline', '01012345678'],
    ['12345', 'service', '12345'],
    ['12315', 'service', '12315'],
    ['110', 'service', '110'],
    ['95588', 'service', '95588'],
    ['1001', 'extension', '1001'],
    ['2002', 'extension', '2002'],
    ['88888888', 'extension', '88888888'],
  ])('accepts %s as %s', (input, kind, dial) => {
    expect(checkDialNumber(input)).toEqual({ ok: true, kind, dial });
  });

  it.each([
    ['', 'numberEmpty'],
    ['   ', 'numberEmpty'],
    ['1380013800a', 'numberChars'],
    ['张三', 'numberChars'],
    ['12800138000', 'numberMobile'], // 12x is not a mobile prefix
    ['1380013800', 'numberMobile'], // 10 digits
    ['138001380001', 'numberMobile'], // 12 digits
    ['010-1234', 'numberLandline'],
    ['0123', 'numberLandline'],
    ['00', 'numberLandline'],
    ['12', 'numberInvalid'],
    ['123456789012345', 'numberMobile'],
    ['+1 212 555 0100', 'numberInvalid'],
  ])('refuses %j with %s', (input, issue) => {
    expect(checkDialNumber(input)).toEqual({ ok: false, issue });
  });
});

describe('displayNumber', () => {
  it('prefers a numeric URI user', () => {
    expect(displayNumber('13800138000', '市民')).toBe('13800138000');
  });
  it('falls back to the display name, then the raw user', () => {
    expect(displayNumber('anonymous', '"1001"')).toBe('1001');
    expect(displayNumber('alice', undefined)).toBe('alice');
    expect(displayNumber(undefined, undefined)).toBe('');
  });
});
