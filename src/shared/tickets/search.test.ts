import { describe, expect, it } from 'vitest';
import { escapeLike, matchesSearch, searchTerms } from './search.js';

describe('ticket search terms', () => {
  it('splits on ASCII and ideographic spaces, lower-cases, drops repeats', () => {
    expect(searchTerms('  路灯\u3000WiFi 路灯 ').map((t) => t.text)).toEqual(['路灯', 'wifi']);
  });

  it('1–2 character terms are substrings; longer terms need half their trigrams', () => {
    const [short, three, five] = searchTerms('噪音 烧烤店 夜间噪音大');
    expect(short).toEqual({ text: '噪音', trigrams: [], required: 0 });
    expect(three).toEqual({ text: '烧烤店', trigrams: ['烧烤店'], required: 1 });
    expect(five).toEqual({ text: '夜间噪音大', trigrams: ['夜间噪', '间噪音', '噪音大'], required: 2 });
  });

  it('matches rewordings but not unrelated text', () => {
    const text = '小区楼下烧烤店夜间噪音很大，影响休息';
    expect(matchesSearch(text, '夜间噪音大')).toBe(true);
    expect(matchesSearch(text, '烧烤 噪音')).toBe(true);
    expect(matchesSearch(text, '路灯不亮')).toBe(false);
    expect(matchesSearch('文三路与学院路口路灯连续三晚不亮', '路口路灯不亮')).toBe(true);
    expect(matchesSearch('文三路与学院路口路灯连续三晚不亮', '烧烤 路灯')).toBe(false);
  });

  it('bounds long terms and escapes LIKE wildcards', () => {
    const long = searchTerms('一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯')[0]!;
    expect(long.trigrams.length).toBe(12);
    expect(long.trigrams[0]).toBe('一二三');
    expect(long.trigrams[11]).toBe('丑寅卯');
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
  });
});
