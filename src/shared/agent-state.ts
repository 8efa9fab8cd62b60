/**
 * The agent state machine (坐席状态): the one definition of which states exist and which
 * events move an agent between them. The server enforces it (it is the only authority on
 * who may get a call); consoles use it to show and to grey out buttons.
 */

/** Reasons the system itself sets; sites add their own 示忙 and 小休 reasons as data. */
export const systemReasons = {
  signIn: 'sign_in', // 刚签入，尚未示闲
  missedCall: 'missed_call', // 未接来电
  disconnected: 'disconnected', // 坐席掉线
  supervisor: 'supervisor', // 班长置忙
} as const;

export type AgentState =
  | { kind: 'signed_out' }
  | { kind: 'ready' }
  | { kind: 'not_ready'; reason: string }
  | { kind: 'break'; reason: string }
  /** Offered a call by the ACD: ringing, reserved for that call only. */
  | { kind: 'reserved'; callId: string }
  | { kind: 'on_call'; callId: string; held: boolean }
  | { kind: 'after_call_work'; callId: string };

export type AgentStateKind = AgentState['kind'];
export const agentStateKinds = ['signed_out', 'ready', 'not_ready', 'break', 'reserved', 'on_call', 'after_call_work'] as const satisfies readonly AgentStateKind[];

export type AgentEvent =
  | { type: 'sign_in' }
  | { type: 'sign_out' }
  | { type: 'ready' }
  | { type: 'not_ready'; reason: string }
  | { type: 'break'; reason: string }
  | { type: 'offer'; callId: string }
  | { type: 'offer_withdrawn'; callId: string }
  | { type: 'ring_no_answer'; callId: string }
  | { type: 'answer'; callId: string }
  | { type: 'dial'; callId: string }
  | { type: 'hold'; callId: string }
  | { type: 'resume'; callId: string }
  | { type: 'call_ended'; callId: string }
  | { type: 'wrap_up_done' }
  | { type: 'wrap_up_timeout' }
  | { type: 'disconnected' };

export type AgentEventType = AgentEvent['type'];

export type TransitionResult =
  | { ok: true; state: AgentState; changed: boolean }
  | { ok: false; code: 'ILLEGAL_TRANSITION'; message: string };

export function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}

const label: Record<AgentStateKind, string> = {
  signed_out: '签出',
  ready: '示闲',
  not_ready: '示忙',
  break: '小休',
  reserved: '振铃',
  on_call: '通话',
  after_call_work: '整理',
};

/** What each event is called on screen: refusals are read by agents, never raw event names. */
export const agentEventLabels: Record<AgentEventType, string> = {
  sign_in: '签入',
  sign_out: '签出',
  ready: '示闲',
  not_ready: '示忙',
  break: '小休',
  offer: '分配来电',
  offer_withdrawn: '撤回来电',
  ring_no_answer: '振铃未接',
  answer: '接听',
  dial: '外呼',
  hold: '保持',
  resume: '恢复通话',
  call_ended: '结束通话',
  wrap_up_done: '整理完成',
  wrap_up_timeout: '结束整理',
  disconnected: '掉线置忙',
};

function illegal(state: AgentState, event: AgentEvent, why?: string): TransitionResult {
  return { ok: false, code: 'ILLEGAL_TRANSITION', message: why ?? `当前为${label[state.kind]}状态，不能${agentEventLabels[event.type]}` };
}

function to(state: AgentState, next: AgentState): TransitionResult {
  return { ok: true, state: next, changed: JSON.stringify(state) !== JSON.stringify(next) };
}

const idle = (s: AgentState) => s.kind === 'ready' || s.kind === 'not_ready' || s.kind === 'break' || s.kind === 'after_call_work';
const sameCall = (s: AgentState, callId: string) => 'callId' in s && s.callId === callId;

/** Pure: the next state for an event, or why the event is not allowed now. */
export function transition(state: AgentState, event: AgentEvent): TransitionResult {
  switch (event.type) {
    case 'sign_in':
      return state.kind === 'signed_out' ? to(state, { kind: 'not_ready', reason: systemReasons.signIn }) : illegal(state, event, '已经签入');
    case 'sign_out':
      if (state.kind === 'reserved' || state.kind === 'on_call') return illegal(state, event, '通话中不能签出，请先结束通话');
      return state.kind === 'signed_out' ? illegal(state, event, '尚未签入') : to(state, { kind: 'signed_out' });
    case 'ready':
      return idle(state) ? to(state, { kind: 'ready' }) : illegal(state, event);
    case 'not_ready':
      return idle(state) ? to(state, { kind: 'not_ready', reason: event.reason }) : illegal(state, event);
    case 'break':
      return idle(state) ? to(state, { kind: 'break', reason: event.reason }) : illegal(state, event);
    case 'offer':
      return state.kind === 'ready' ? to(state, { kind: 'reserved', callId: event.callId }) : illegal(state, event, '坐席不是示闲状态，不能分配来电');
    case 'offer_withdrawn':
      return state.kind === 'reserved' && state.callId === event.callId ? to(state, { kind: 'ready' }) : illegal(state, event);
    case 'ring_no_answer':
      return state.kind === 'reserved' && state.callId === event.callId
        ? to(state, { kind: 'not_ready', reason: systemReasons.missedCall })
        : illegal(state, event);
    case 'answer':
      return state.kind === 'reserved' && state.callId === event.callId ? to(state, { kind: 'on_call', callId: event.callId, held: false }) : illegal(state, event);
    case 'dial':
      return state.kind === 'ready' || state.kind === 'not_ready' || state.kind === 'after_call_work'
        ? to(state, { kind: 'on_call', callId: event.callId, held: false })
        : illegal(state, event, state.kind === 'break' ? '小休中不能外呼，请先结束小休' : undefined);
    case 'hold':
    case 'resume':
      return state.kind === 'on_call' && sameCall(state, event.callId)
        ? to(state, { kind: 'on_call', callId: event.callId, held: event.type === 'hold' })
        : illegal(state, event);
    case 'call_ended':
      return state.kind === 'on_call' && state.callId === event.callId ? to(state, { kind: 'after_call_work', callId: event.callId }) : illegal(state, event);
    case 'wrap_up_done':
    case 'wrap_up_timeout':
      return state.kind === 'after_call_work' ? to(state, { kind: 'ready' }) : illegal(state, event);
    case 'disconnected':
      // A dead console must not be offered calls; a call in progress continues on its media path.
      if (state.kind === 'ready' || state.kind === 'after_call_work') return to(state, { kind: 'not_ready', reason: systemReasons.disconnected });
      return to(state, state);
    default:
      return assertNever(event);
  }
}

/** Whether the ACD may offer this agent a call. */
export function isAvailable(state: AgentState): boolean {
  return state.kind === 'ready';
}
