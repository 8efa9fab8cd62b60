import { describe, expect, it } from 'vitest';
import type { HandlingUnit } from '../../../../../shared/api/refdata.js';
import { addOverride, overridesChanged, removeOverride, toDispatchRuleBody, toSlaRuleBody, toUnitBody, unitAndDescendants, unitTree } from './refdata-model';

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
});
