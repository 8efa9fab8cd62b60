import { describe, expect, it } from 'vitest';
import { searchQueryOf } from './ticket-search';

describe('ticket list search box', () => {
  it('tells ticket numbers, phone numbers and keywords apart', () => {
    expect(searchQueryOf(' 12345-20250101-00001 ')).toEqual({ ticketNo: '12345-20250101-00001' });
    expect(searchQueryOf('12345-2025')).toEqual({ ticketNo: '12345-2025' });
    expect(searchQueryOf('138 0013 8000')).toEqual({ phone: '138 0013 8000' });
    expect(searchQueryOf('+86 571-8765-4321')).toEqual({ phone: '+86 571-8765-4321' });
    expect(searchQueryOf('路灯 不亮')).toEqual({ q: '路灯 不亮' });
    expect(searchQueryOf('12345')).toEqual({ q: '12345' });
    expect(searchQueryOf('')).toEqual({});
  });
});
