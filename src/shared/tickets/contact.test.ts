import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskPhone, normalizeIdNumber, normalizePhone } from './contact.js';

describe('contact details', () => {
  it('normalises mobiles and landlines, rejects junk', () => {
    expect(normalizePhone('+86 138-0013-8000')).toBe('13800138000');
    expect(normalizePhone('008613800138000')).toBe('13800138000');
    expect(normalizePhone('8613800138000')).toBe('13800138000');
    expect(normalizePhone('0571-8765 4321')).toBe('057187654321');
    expect(normalizePhone('010-12345678')).toBe('01012345678');
    expect(normalizePhone('12345')).toBe('12345');
    // Written internationally, a landline has lost its trunk 0; call records restore it, so must tickets.
    expect(normalizePhone('+86 10 12345678')).toBe('01012345678');
    // A US number is not a Chinese mobile just because its digits look like one.
    expect(normalizePhone('+1 415 555 0100')).toBeNull();
    for (const bad of ['', 'abc', '1380013800', '23800138000', '138001380001', '+1 415 555 0100x', '0']) expect(normalizePhone(bad), bad).toBeNull();
  });
  it('masks phones and ID numbers', () => {
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(maskPhone('057187654321')).toBe('0571****4321');
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });
  it('checks the ID number check digit', () => {
    expect(normalizeIdNumber('11010519491231002x')).toBe('11010519491231002X');
    expect(normalizeIdNumber('110105194912310021')).toBeNull();
    expect(normalizeIdNumber('1101051949123100')).toBeNull();
  });
});
