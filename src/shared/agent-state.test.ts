import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transition, type AgentEvent, type AgentState } from './agent-state.js';

const callIds = fc.constantFrom('c1', 'c2');
const reasons = fc.constantFrom('meeting', 'meal', 'training');
const event: fc.Arbitrary<AgentEvent> = fc.oneof(
  fc.constant({ type: 'sign_in' as const }),
  fc.constant({ type: 'sign_out' as const }),
  fc.constant({ type: 'ready' as const }),
  reasons.map((reason) => ({ type: 'not_ready' as const, reason })),
  reasons.map((reason) => ({ type: 'break' as const, reason })),
  ...(['offer', 'offer_withdrawn', 'ring_no_answer', 'answer', 'dial', 'hold', 'resume', 'call_ended'] as const).map((type) =>
    callIds.map((callId) => ({ type, callId }) as AgentEvent),
  ),
  fc.constant({ type: 'wrap_up_done' as const }),
  fc.constant({ type: 'wrap_up_timeout' as const }),
  fc.constant({ type: 'disconnected' as const }),
);

function legal(s: AgentState): boolean {
  switch (s.kind) {
    default:
      return false;
    case 'signed_out':
    case 'ready':
      return Object.keys(s).length === 1;
    case 'not_ready':
    case 'break':
      return typeof s.reason === 'string' && s.reason.length > 0;
    case 'reserved':
    case 'after_call_work':
      return typeof s.callId === 'string';
    case 'on_call':
      return typeof s.callId === 'string' && typeof s.held === 'boolean';
  }
}

describe('agent state machine', () => {
  it('any event sequence keeps the agent in a legal state; refused events change nothing', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        let s: AgentState = { kind: 'signed_out' };
        for (const e of events) {
          const r = transition(s, e);
          if (r.ok) {
            expect(legal(r.state)).toBe(true);
            expect(r.changed).toBe(JSON.stringify(r.state) !== JSON.stringify(s));
            // Calls: a call is only ever answered, held or ended by the call it was offered.
            if (r.state.kind === 'on_call' && s.kind === 'on_call') expect(r.state.callId).toBe(s.callId);
            s = r.state;
          } else {
            expect(r.message.length).toBeGreaterThan(0);
            // Agents read refusals: plain zh-CN, never a raw event or state name.
            expect(r.message).not.toMatch(/[A-Za-z_]/);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never signs out or goes idle during a call, and only a ready agent is offered calls', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        let s: AgentState = { kind: 'signed_out' };
        for (const e of events) {
          const r = transition(s, e);
          if (r.ok && r.changed) {
            if (s.kind === 'on_call') expect(['on_call', 'after_call_work']).toContain(r.state.kind);
            if (s.kind === 'reserved') {
              const next = r.state.kind === 'not_ready' ? `not_ready:${r.state.reason}` : r.state.kind;
              expect(['on_call', 'ready', 'not_ready:missed_call']).toContain(next);
            }
            if (r.state.kind === 'reserved') expect(s.kind).toBe('ready');
            s = r.state;
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('explains refusals in Chinese', () => {
    const r = transition({ kind: 'on_call', callId: 'c1', held: false }, { type: 'sign_out' });
    expect(r).toEqual({ ok: false, code: 'ILLEGAL_TRANSITION', message: '通话中不能签出，请先结束通话' });
    expect(transition({ kind: 'not_ready', reason: 'meal' }, { type: 'offer', callId: 'c1' }).ok).toBe(false);
  });

  it('walks the ordinary day: sign in, ready, ring, answer, hold, end, wrap up, ready, sign out', () => {
    const steps: AgentEvent[] = [
      { type: 'sign_in' }, { type: 'ready' }, { type: 'offer', callId: 'c1' }, { type: 'answer', callId: 'c1' },
      { type: 'hold', callId: 'c1' }, { type: 'resume', callId: 'c1' }, { type: 'call_ended', callId: 'c1' },
      { type: 'wrap_up_timeout' }, { type: 'offer', callId: 'c2' }, { type: 'ring_no_answer', callId: 'c2' }, { type: 'sign_out' },
    ];
    const kinds: string[] = [];
    let s: AgentState = { kind: 'signed_out' };
    for (const e of steps) {
      const r = transition(s, e);
      if (!r.ok) throw new Error(`${e.type}: ${r.message}`);
      s = r.state;
      kinds.push(s.kind === 'not_ready' ? `not_ready:${s.reason}` : s.kind);
    }
    expect(kinds).toEqual(['not_ready:sign_in', 'ready', 'reserved', 'on_call', 'on_call', 'on_call', 'after_call_work', 'ready', 'reserved', 'not_ready:missed_call', 'signed_out']);
  });
});
