/**
 * What the 坐席状态 panel shows, as pure functions (unit-tested): the tag for a state, reason
 * labels, elapsed and remaining times, 小休 overrun, and which buttons are offered and enabled. Enabling
 * asks the shared state machine (`transition`); it never decides the next state itself.
 */
import type { TFunction } from 'i18next';
import { systemReasons, transition, type AgentEvent, type AgentState, type AgentStateKind } from '../../../../../shared/agent-state.js';
import { assertNever } from '../../../app/assert-never';
import type { AgentStatus } from '../../../../../shared/api/agent-state.js';
import type { BreakOverrun } from '../../../../../shared/realtime.js';
import type { AgentReasons } from '../../../stores/agent-state-store';

/** antd Tag colours per state. */
export const stateColor: Record<AgentStateKind, string> = {
  signed_out: 'default',
  ready: 'green',
  not_ready: 'orange',
  break: 'blue',
  reserved: 'gold',
  on_call: 'red',
  after_call_work: 'purple',
};

/** Elapsed or remaining time: mm:ss, or hh:mm:ss from an hour on. Negative counts as zero. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const mm = String(Math.floor((total % 3600) / 60)).padStart(2, '0');
  const ss = String(total % 60).padStart(2, '0');
  return h > 0 ? `${String(h).padStart(2, '0')}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * Whole seconds from an ISO time to now (time in state), never negative; null when the
 * server has no start time (an agent never signed in reads as 签出 since the epoch).
 */
export function secondsSince(iso: string, now: number): number | null {
  const at = Date.parse(iso);
  if (!(at > 0)) return null;
  return Math.max(0, Math.floor((now - at) / 1000));
}

/** Whole seconds from now to an ISO time (整理 countdown), rounded up, never negative. */
export function secondsUntil(iso: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
}

export interface BreakOverrunView {
  /** Seconds past the maximum (0 when only the server's push says so: clocks differ). */
  overSeconds: number;
  maxSeconds: number;
}

/**
 * Whether the current 小休 is past its reason's maximum: by this console's clock, or because
 * the server announced it for this very break (`pushed.since` is the break's start).
 */
export function breakOverrun(
  status: AgentStatus,
  reasons: AgentReasons | null,
  pushed: BreakOverrun | null,
  now: number,
): BreakOverrunView | null {
  const { state } = status;
  if (state.kind !== 'break') return null;
  const announced = pushed !== null && pushed.agentId === status.agentId && pushed.since === status.since;
  const max = reasons?.break.find((r) => r.code === state.reason)?.maxSeconds ?? (announced ? pushed.maxSeconds : undefined);
  if (max === undefined) return null;
  const elapsed = secondsSince(status.since, now);
  if (elapsed === null) return null;
  return elapsed > max || announced ? { overSeconds: Math.max(0, elapsed - max), maxSeconds: max } : null;
}

const systemReasonCodes: readonly string[] = Object.values(systemReasons);
type SystemReason = (typeof systemReasons)[keyof typeof systemReasons];
const isSystemReason = (code: string): code is SystemReason => systemReasonCodes.includes(code);

/** A reason's label: system reasons from i18n, site reasons from the server, else the code. */
export function reasonLabel(code: string, kind: 'not_ready' | 'break', reasons: AgentReasons | null, t: TFunction): string {
  if (isSystemReason(code)) return t(`agentState.systemReasons.${code}`);
  const list = kind === 'not_ready' ? reasons?.notReady : reasons?.break;
  return list?.find((r) => r.code === code)?.label ?? code;
}

/** The big tag's text: 示忙 · 会议, 通话中 / 保持中, 签出 … */
export function stateText(state: AgentState, reasons: AgentReasons | null, t: TFunction): string {
  switch (state.kind) {
    case 'not_ready':
    case 'break':
      return `${t(`agentState.kinds.${state.kind}`)} · ${reasonLabel(state.reason, state.kind, reasons, t)}`;
    case 'on_call':
      return state.held ? t('agentState.held') : t('agentState.kinds.on_call');
    case 'signed_out':
    case 'ready':
    case 'reserved':
    case 'after_call_work':
      return t(`agentState.kinds.${state.kind}`);
    default:
      return assertNever(state);
  }
}

export type AgentButton = 'signIn' | 'ready' | 'notReady' | 'break' | 'wrapUpDone' | 'signOut';

export interface ButtonView {
  visible: boolean;
  enabled: boolean;
}

/** An event that the state machine allows and that changes something. */
function allows(state: AgentState, event: AgentEvent): boolean {
  const r = transition(state, event);
  return r.ok && r.changed;
}

/** No site reason is ever this, so "some 示忙/小休" is asked without picking a real one. */
const ANY_REASON = '\u0000any';

export interface ButtonContext {
  /** A command is in flight (or 示闲 is checking devices). */
  busy: boolean;
  /** The softphone has a live call (the server may not know yet): 签出 would cut it off. */
  liveCall: boolean;
}

/** Which buttons show and which are enabled for a state. */
export function agentButtons(state: AgentState, ctx: ButtonContext): Record<AgentButton, ButtonView> {
  const on = (visible: boolean, event: AgentEvent, extra = true): ButtonView => ({
    visible,
    enabled: visible && !ctx.busy && extra && allows(state, event),
  });
  const signedOut = state.kind === 'signed_out';
  return {
    signIn: on(signedOut, { type: 'sign_in' }),
    ready: on(true, { type: 'ready' }),
    notReady: on(true, { type: 'not_ready', reason: ANY_REASON }),
    break: on(true, { type: 'break', reason: ANY_REASON }),
    wrapUpDone: on(state.kind === 'after_call_work', { type: 'wrap_up_done' }),
    signOut: on(!signedOut, { type: 'sign_out' }, !ctx.liveCall),
  };
}

/** A reason in a 示忙/小休 menu is disabled when it is the current one (nothing would change). */
export function reasonEnabled(state: AgentState, kind: 'not_ready' | 'break', code: string): boolean {
  return allows(state, { type: kind, reason: code });
}
