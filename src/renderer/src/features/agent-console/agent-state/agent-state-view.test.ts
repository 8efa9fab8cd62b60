import { describe, expect, it } from 'vitest';
import type { TFunction } from 'i18next';
import type { AgentState, AgentStateKind } from '../../../../../shared/agent-state.js';
import { zhCN } from '../../../i18n/zh-CN';
import type { AgentReasons } from '../../../stores/agent-state-store';
import { agentButtons, breakOverrun, formatElapsed, reasonEnabled, reasonLabel, secondsSince, secondsUntil, stateText, type AgentButton } from './agent-state-view';

/** Looks keys up in zh-CN.ts, like i18next does (no interpolation needed here). */
const t = ((key: string) => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], zhCN)) as unknown as TFunction;

const reasons: AgentReasons = {
  notReady: [{ code: 'meeting', label: '会议' }],
  break: [{ code: 'rest', label: '休息' }],
  wrapUpSeconds: 30,
};

const states: Record<AgentStateKind, AgentState> = {
  signed_out: { kind: 'signed_out' },
  ready: { kind: 'ready' },
  not_ready: { kind: 'not_ready', reason: 'sign_in' },
  break: { kind: 'break', reason: 'rest' },
  reserved: { kind: 'reserved', callId: 'c1' },
  on_call: { kind: 'on_call', callId: 'c1', held: false },
  after_call_work: { kind: 'after_call_work', callId: 'c1' },
};

describe('time formatting', () => {
  it('shows mm:ss under an hour and hh:mm:ss from an hour on', () => {
    expect(formatElapsed(0)).toBe('00:00');
    expect(formatElapsed(59_999)).toBe('00:59');
    expect(formatElapsed(61_000)).toBe('01:01');
    expect(formatElapsed(3_599_000)).toBe('59:59');
    expect(formatElapsed(3_600_000)).toBe('01:00:00');
    expect(formatElapsed((10 * 3600 + 2 * 60 + 3) * 1000)).toBe('10:02:03');
    expect(formatElapsed(100 * 3_600_000)).toBe('100:00:00');
  });

  it('never counts below zero (clock skew)', () => {
    expect(formatElapsed(-5000)).toBe('00:00');
    const now = Date.parse('2025-01-01T08:00:10Z');
    expect(secondsSince('2025-01-01T08:00:00Z', now)).toBe(10);
    expect(secondsSince('2025-01-01T08:00:20Z', now)).toBe(0);
  });

  it('has no time in state for an agent who never signed in (since the epoch)', () => {
    expect(secondsSince('1970-01-01T00:00:00.000Z', Date.now())).toBeNull();
  });

  it('counts down to the wrap-up deadline, rounding up, stopping at zero', () => {
    const now = Date.parse('2025-01-01T08:00:00.200Z');
    expect(secondsUntil('2025-01-01T08:00:30Z', now)).toBe(30);
    expect(secondsUntil('2025-01-01T08:00:00Z', now)).toBe(0);
  });
});

describe('state text', () => {
  it('labels reasons: system ones from i18n, site ones from the server, unknown ones by code', () => {
    expect(stateText(states.not_ready, reasons, t)).toBe('示忙 · 刚签入');
    expect(stateText({ kind: 'not_ready', reason: 'meeting' }, reasons, t)).toBe('示忙 · 会议');
    expect(stateText(states.break, reasons, t)).toBe('小休 · 休息');
    expect(reasonLabel('gone', 'break', reasons, t)).toBe('gone');
    expect(reasonLabel('missed_call', 'not_ready', null, t)).toBe('未接来电');
  });

  it('names every state, and a held call 保持中', () => {
    expect(stateText(states.signed_out, reasons, t)).toBe('签出');
    expect(stateText(states.ready, reasons, t)).toBe('示闲');
    expect(stateText(states.reserved, reasons, t)).toBe('振铃');
    expect(stateText(states.on_call, reasons, t)).toBe('通话中');
    expect(stateText({ kind: 'on_call', callId: 'c1', held: true }, reasons, t)).toBe('保持中');
    expect(stateText(states.after_call_work, reasons, t)).toBe('整理');
  });
});

describe('buttons per state', () => {
  const enabled = (state: AgentState, ctx = { busy: false, liveCall: false }): AgentButton[] =>
    Object.entries(agentButtons(state, ctx))
      .filter(([, b]) => b.enabled)
      .map(([k]) => k as AgentButton)
      .sort();
  const visible = (state: AgentState): AgentButton[] =>
    Object.entries(agentButtons(state, { busy: false, liveCall: false }))
      .filter(([, b]) => b.visible)
      .map(([k]) => k as AgentButton)
      .sort();

  it('enables exactly what the state machine allows (and would change something)', () => {
    expect(enabled(states.signed_out)).toEqual(['signIn']);
    expect(enabled(states.ready)).toEqual(['break', 'notReady', 'signOut']);
    expect(enabled(states.not_ready)).toEqual(['break', 'notReady', 'ready', 'signOut']);
    expect(enabled(states.break)).toEqual(['break', 'notReady', 'ready', 'signOut']);
    expect(enabled(states.reserved)).toEqual([]);
    expect(enabled(states.on_call)).toEqual([]);
    expect(enabled(states.after_call_work)).toEqual(['break', 'notReady', 'ready', 'signOut', 'wrapUpDone']);
  });

  it('offers 签入 only when signed out, 签出 otherwise, 整理完成 only in 整理', () => {
    expect(visible(states.signed_out)).toEqual(['break', 'notReady', 'ready', 'signIn']);
    expect(visible(states.not_ready)).toEqual(['break', 'notReady', 'ready', 'signOut']);
    expect(visible(states.after_call_work)).toEqual(['break', 'notReady', 'ready', 'signOut', 'wrapUpDone']);
  });

  it('disables everything while a command is in flight, and 签出 during a softphone call', () => {
    expect(enabled(states.not_ready, { busy: true, liveCall: false })).toEqual([]);
    expect(enabled(states.not_ready, { busy: false, liveCall: true })).toEqual(['break', 'notReady', 'ready']);
  });

  it('disables the reason already in effect', () => {
    expect(reasonEnabled({ kind: 'not_ready', reason: 'meeting' }, 'not_ready', 'meeting')).toBe(false);
    expect(reasonEnabled({ kind: 'not_ready', reason: 'meeting' }, 'not_ready', 'other')).toBe(true);
    expect(reasonEnabled({ kind: 'not_ready', reason: 'meeting' }, 'break', 'meeting')).toBe(true);
    expect(reasonEnabled(states.on_call, 'break', 'rest')).toBe(false);
  });
});

describe('小休 overrun', () => {
  const since = '2025-03-01T08:00:00.000Z';
  const at = (seconds: number) => Date.parse(since) + seconds * 1000;
  const limited: AgentReasons = { ...reasons, break: [{ code: 'rest', label: '休息', maxSeconds: 600 }, { code: 'restroom', label: '如厕' }] };
  const onBreak = (reason: string) => ({ agentId: 'a1', state: { kind: 'break' as const, reason }, since, wrapUpDeadline: null });

  it('turns on past the reason’s maximum, by this console’s clock', () => {
    expect(breakOverrun(onBreak('rest'), limited, null, at(600))).toBeNull();
    expect(breakOverrun(onBreak('rest'), limited, null, at(665))).toEqual({ overSeconds: 65, maxSeconds: 600 });
  });

  it('never for reasons without a maximum or states other than 小休', () => {
    expect(breakOverrun(onBreak('restroom'), limited, null, at(99_999))).toBeNull();
    expect(breakOverrun({ ...onBreak('rest'), state: { kind: 'ready' } }, limited, null, at(99_999))).toBeNull();
  });

  it('follows the server’s announcement for this very break, even when the clocks disagree', () => {
    const pushed = { agentId: 'a1', reason: 'rest', since, maxSeconds: 600 };
    expect(breakOverrun(onBreak('rest'), limited, pushed, at(590))).toEqual({ overSeconds: 0, maxSeconds: 600 });
    // An announcement about an earlier break does not colour this one.
    expect(breakOverrun(onBreak('rest'), limited, { ...pushed, since: '2025-03-01T07:00:00.000Z' }, at(590))).toBeNull();
  });
});
