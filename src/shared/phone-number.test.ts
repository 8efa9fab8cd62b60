import { describe, expect, it } from 'vitest';
import { normaliseCallerNumber } from './phone-number.js';

describe('normaliseCallerNumber', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['+86 138-0013-8000', '13800138000'],
    ['008613800138000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['010-12345678', '01012345678'],
    ['+86 10 12345678', '01012345678'],
    ['(0755)1234567', '07551234567'],
    ['sip:13800138000@hotline.local', '13800138000'],
    ['"张三" <sip:1001@10.0.0.1;transport=ws>', '1001'],
    ['12345', '12345'],
    ['+44 20 7946 0958', '+442079460958'],
    ['anonymous', ''],
    ['', ''],
    ['12', ''],
  ])('%s → %s', (raw, want) => {
    expect(normaliseCallerNumber(raw)).toBe(want);
  });
});
