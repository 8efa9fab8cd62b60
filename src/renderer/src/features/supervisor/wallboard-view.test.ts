import { describe, expect, it } from 'vitest';
import type { FloorAgent } from '../../../../shared/api/supervisor.js';
import { defaultThresholds, formatRate, highlightOf, rowActions, visibleAgents } from './wallboard-view';

const now = Date.parse('2025-01-01T10:00:00Z');
const ago = (s: number) => new Date(now - s * 1000).toISOString();
const agent = (name: string, state: FloorAgent['status']['state'], inState: number, extra: Partial<FloorAgent> = {}): FloorAgent => ({
  agentId: `00000000-0000-4000-8000-${name.padStart(12, '0')}`,
  username: name,
  displayName: name,
  extension: '1001',
  groupIds: ['g1'],
  status: { agentId: 'x', state, since: ago(inState), wrapUpDeadline: null },
  liveCall: null,
  monitor: null,
  today: { answered: 0, missed: 0, handled: 0, avgHandleSeconds: null },
  ...extra,
});

describe('wallboard view', () => {
  const ready = agent('a', { kind: 'ready' }, 30);
  const brk = agent('b', { kind: 'break', reason: 'rest' }, 1000, { groupIds: ['g2'] });
  const acw = agent('c', { kind: 'after_call_work', callId: 'x' }, 60);
  const talking = agent('d', { kind: 'ready' }, 5, { liveCall: { sipCallId: 's', direction: 'inbound', remoteNumber: '138****8000', answeredAt: ago(700) } });

  it('highlights long breaks, long after-call work and long calls by the thresholds', () => {
    expect(highlightOf(brk, now, defaultThresholds)).toBe('long_break');
    expect(highlightOf(acw, now, defaultThresholds)).toBeNull();
    expect(highlightOf(acw, now, { ...defaultThresholds, longAcwSeconds: 60 })).toBe('long_acw');
    expect(highlightOf(talking, now, defaultThresholds)).toBe('long_call');
    expect(highlightOf(ready, now, defaultThresholds)).toBeNull();
  });

  it('filters by group and state and sorts by state, time or name', () => {
    const all = [ready, brk, acw, talking];
    expect(visibleAgents(all, { groupId: 'g2', kinds: [] }, 'name', now).map((a) => a.username)).toEqual(['b']);
    expect(visibleAgents(all, { groupId: null, kinds: ['ready'] }, 'name', now).map((a) => a.username)).toEqual(['a', 'd']);
    expect(visibleAgents(all, { groupId: null, kinds: [] }, 'time', now).map((a) => a.username)).toEqual(['b', 'c', 'a', 'd']);
    expect(visibleAgents(all, { groupId: null, kinds: [] }, 'state', now).map((a) => a.username)).toEqual(['c', 'b', 'a', 'd']);
  });

  it('offers stepping in only with a reported call, and asks to confirm signing out an agent on a call', () => {
    expect(rowActions(ready)).toMatchObject({ monitor: false, notReady: true, signOut: true, signOutOnCall: false });
    expect(rowActions(talking)).toMatchObject({ monitor: true, signOutOnCall: true });
    expect(rowActions(agent('e', { kind: 'signed_out' }, 0))).toMatchObject({ notReady: false, signOut: false });
  });
});

describe('rates on the tiles', () => {
  it('shows a dash while there is nothing to divide, else a percentage with one decimal', () => {
    expect(formatRate(null)).toBe('—');
    expect(formatRate(0)).toBe('0%');
    expect(formatRate(2 / 3)).toBe('66.7%');
    expect(formatRate(1)).toBe('100%');
  });
});
