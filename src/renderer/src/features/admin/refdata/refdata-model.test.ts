import { describe, expect, it } from 'vitest';
import type { HandlingUnit } from '../../../../../shared/api/refdata.js';
import {
  addOverride, categoryParent, codeFormValues, nextChildCode, overridesChanged, regionParent, removeOverride, toCodeBody, toDispatchRuleBody, toSlaRuleBody, toUnitBody,
  unitAndDescendants, unitTree, type Region,
} from './refdata-model';

const unit = (id: string, parentId: string | null): HandlingUnit => ({
  id, code: id, name: id, parentId, kind: 'department', phone: null, active: true, regionCodes: [], categoryCodes: [], memberIds: [],
});

describe('refdata model', () => {
  it('nests units under parents, keeps orphans and cycles visible', () => {
    const tree = unitTree([unit('a', null), unit('b', 'a'), unit('c', 'b'), unit('d', 'gone'), unit('x', 'y'), unit('y', 'x')]);
    expect(tree.map((n) => n.id)).toEqual(['a', 'd', 'x']);
    expect(tree[0]!.children?.[0]?.children?.[0]?.id).toBe('c');
    expect(tree[1]!.children).toBeUndefined();
    expect(tree[2]!.children?.map((n) => n.id)).toEqual(['y']);
    expect([...unitAndDescendants([unit('a', null), unit('b', 'a'), unit('c', 'b'), unit('e', null)], 'a')].sort()).toEqual(['a', 'b', 'c']);
  });

  it('turns empty form fields into the contract\'s nulls ("any")', () => {
    expect(toDispatchRuleBody({ leadUnitId: 'u', note: '  ' })).toEqual({ regionCode: null, categoryCode: null, leadUnitId: 'u', coUnitIds: [], priority: 0, active: true, note: null });
    expect(toSlaRuleBody({ unit: 'hours', amount: 4 })).toMatchObject({ appealType: null, urgency: null, channel: null, unit: 'hours', amount: 4 });
    expect(toUnitBody({ code: ' x1 ', name: 'X', phone: '' })).toMatchObject({ code: 'x1', parentId: null, phone: null, kind: 'department' });
  });

  it('edits a year\'s overrides in date order, refusing other years and repeats', () => {
    const one = addOverride([], 2026, { date: '2026-05-06', isWorkday: false, note: null });
    expect(one.ok).toBe(true);
    const list = one.ok ? one.overrides : [];
    const two = addOverride(list, 2026, { date: '2026-01-04', isWorkday: true, note: '调休' });
    expect(two.ok && two.overrides.map((o) => o.date)).toEqual(['2026-01-04', '2026-05-06']);
    expect(addOverride(list, 2026, { date: '2026-05-06', isWorkday: true, note: null })).toEqual({ ok: false, reason: 'duplicate' });
    expect(addOverride(list, 2026, { date: '2027-01-01', isWorkday: false, note: null })).toEqual({ ok: false, reason: 'wrongYear' });
    expect(removeOverride(list, '2026-05-06')).toEqual([]);
    expect(overridesChanged(list, [...list])).toBe(false);
    expect(overridesChanged(list, [{ ...list[0]!, isWorkday: true }])).toBe(true);
  });
  it('code tables: parents by the code, the next free child code, bodies without the code on edit', () => {
    expect(categoryParent('0104')).toBe('01');
    expect(categoryParent('01')).toBeNull();
    expect(categoryParent('011')).toBeNull();
    const region = (code: string, parentCode: string | null, level: number): Region => ({ code, parentCode, name: code, level, active: true });
    const regions = [region('330000', null, 1), region('330100', '330000', 2), region('330101', '330100', 3)];
    expect(regionParent(regions, '330106')).toBe('330100');
    expect(regionParent(regions, '330200')).toBe('330000');
    expect(regionParent(regions, '340100')).toBeNull();
    expect(regionParent(regions, '3301')).toBeNull();
    expect(nextChildCode('category', [{ code: '01' }, { code: '0101' }, { code: '0103' }], '01')).toBe('0102');
    expect(nextChildCode('category', [{ code: '01' }, { code: '02' }], null)).toBe('03');
    expect(nextChildCode('category', [], '01010101')).toBe('');
    expect(nextChildCode('region', regions, '330100')).toBe('330102');
    expect(nextChildCode('region', regions, '330000')).toBe('330200');
    expect(nextChildCode('region', regions, null)).toBe('110000');
    expect(nextChildCode('region', regions, '330101')).toBe('');
    expect(toCodeBody('category', { ...codeFormValues(null, { code: '0104' }), name: ' 燃气 ' }, true)).toEqual({ code: '0104', name: '燃气', sort: 0, active: true });
    expect(toCodeBody('region', codeFormValues(regions[1]!), false)).toEqual({ name: '330100', parentCode: '330000', active: true });
  });
});
