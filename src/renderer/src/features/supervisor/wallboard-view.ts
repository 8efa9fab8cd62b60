/**
 * What the wallboard shows, as pure functions (unit-tested): filtering and sorting agents,
 * which rows are highlighted (long calls, breaks, after-call work past the thresholds) and
 * which actions an agent's row offers.
 */
import type { AgentStateKind } from '../../../../shared/agent-state.js';
import type { FloorAgent } from '../../../../shared/api/supervisor.js';

export interface Thresholds {
  longCallSeconds: number;
  longBreakSeconds: number;
  longAcwSeconds: number;
}
export const defaultThresholds: Thresholds = { longCallSeconds: 600, longBreakSeconds: 900, longAcwSeconds: 120 };

export interface FloorFilter {
  groupId: string | null;
  kinds: AgentStateKind[];
}

export type FloorSort = 'state' | 'time' | 'name';

/** Order of states when sorting by state: who needs attention first. */
const kindOrder: Record<AgentStateKind, number> = { on_call: 0, reserved: 1, after_call_work: 2, break: 3, not_ready: 4, ready: 5, signed_out: 6 };

export function secondsInState(a: FloorAgent, now: number): number {
  const at = Date.parse(a.status.since);
  return at > 0 ? Math.max(0, Math.floor((now - at) / 1000)) : 0;
}

/** Seconds on the current call (the softphone's answer time), null without one. */
export function callSeconds(a: FloorAgent, now: number): number | null {
  return a.liveCall ? Math.max(0, Math.floor((now - Date.parse(a.liveCall.answeredAt)) / 1000)) : null;
}

export type Highlight = 'long_call' | 'long_break' | 'long_acw' | null;

export function highlightOf(a: FloorAgent, now: number, t: Thresholds): Highlight {
  const inState = secondsInState(a, now);
  const onCall = callSeconds(a, now);
  if (onCall !== null && onCall >= t.longCallSeconds) return 'long_call';
  if (a.status.state.kind === 'on_call' && inState >= t.longCallSeconds) return 'long_call';
  if (a.status.state.kind === 'break' && inState >= t.longBreakSeconds) return 'long_break';
  if (a.status.state.kind === 'after_call_work' && inState >= t.longAcwSeconds) return 'long_acw';
  return null;
}

export function visibleAgents(agents: readonly FloorAgent[], f: FloorFilter, sort: FloorSort, now: number): FloorAgent[] {
  const shown = agents.filter((a) => (f.groupId === null || a.groupIds.includes(f.groupId)) && (f.kinds.length === 0 || f.kinds.includes(a.status.state.kind)));
  const byName = (x: FloorAgent, y: FloorAgent) => x.displayName.localeCompare(y.displayName, 'zh-CN') || x.username.localeCompare(y.username);
  switch (sort) {
    case 'name':
      return shown.sort(byName);
    case 'time':
      return shown.sort((x, y) => secondsInState(y, now) - secondsInState(x, now) || byName(x, y));
    case 'state':
      return shown.sort((x, y) => kindOrder[x.status.state.kind] - kindOrder[y.status.state.kind] || secondsInState(y, now) - secondsInState(x, now) || byName(x, y));
  }
}

/** Stepping in needs a call the agent's softphone reported; 置忙 and 签出 need a signed-in agent. */
export function rowActions(a: FloorAgent): { monitor: boolean; notReady: boolean; signOut: boolean; signOutOnCall: boolean } {
  const kind = a.status.state.kind;
  const onCall = a.liveCall !== null || kind === 'on_call';
  return {
    monitor: a.liveCall !== null && a.extension !== null,
    notReady: kind === 'ready' || kind === 'break' || kind === 'after_call_work',
    signOut: kind !== 'signed_out' && kind !== 'reserved',
    signOutOnCall: onCall,
  };
}

/** 接通率 / 15秒接通率 on a tile: one decimal, '—' while the rate is undefined (0 ÷ 0). */
export function formatRate(r: number | null): string {
  if (r === null) return '—';
  return `${Number((r * 100).toFixed(1))}%`;
}

const THRESHOLDS_KEY = 'hotline.wallboard.thresholds';

export function loadThresholds(): Thresholds {
  try {
    const raw = JSON.parse(localStorage.getItem(THRESHOLDS_KEY) ?? 'null') as Partial<Thresholds> | null;
    const pick = (v: unknown, d: number) => (typeof v === 'number' && v > 0 ? v : d);
    return {
      longCallSeconds: pick(raw?.longCallSeconds, defaultThresholds.longCallSeconds),
      longBreakSeconds: pick(raw?.longBreakSeconds, defaultThresholds.longBreakSeconds),
      longAcwSeconds: pick(raw?.longAcwSeconds, defaultThresholds.longAcwSeconds),
    };
  } catch {
    return defaultThresholds;
  }
}

export function saveThresholds(t: Thresholds): void {
  localStorage.setItem(THRESHOLDS_KEY, JSON.stringify(t));
}
