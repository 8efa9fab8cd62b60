/**
 * Property: whatever events reach an agent, in any order, the append-only state log alone
 * replays to the agent's current state, row by row, with no gap in time — so time-in-state
 * reports computed from it account for every second between sign-in and sign-out.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transition, type AgentEvent, type AgentState } from '../../src/shared/agent-state.js';
import { AppError } from '../../src/server/http/errors.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

const calls = ['c1', 'c1', 'c1', 'c2'];
// Call events weigh most and mostly concern one call, so offers get answered, held and ended.
const eventArb: fc.Arbitrary<AgentEvent> = fc.oneof(
  fc.constantFrom<AgentEvent>({ type: 'sign_in' }, { type: 'sign_out' }, { type: 'ready' }, { type: 'wrap_up_done' }, { type: 'wrap_up_timeout' }, { type: 'disconnected' }),
  fc.constantFrom('meeting', 'training').map((reason): AgentEvent => ({ type: 'not_ready', reason })),
  fc.constant<AgentEvent>({ type: 'break', reason: 'rest' }),
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom('offer', 'offer_withdrawn', 'ring_no_answer', 'answer', 'dial', 'hold', 'resume', 'call_ended'), fc.constantFrom(...calls))
    .map(([type, callId]) => ({ type, callId }) as AgentEvent) },
);

describe('agent state log', () => {
  let t: TestApp;
  let n = 0;
  beforeAll(async () => {
    t = await createTestApp({ wrapUpSeconds: 3600 });
  }, 120_000);
  afterAll(() => t.close());

  it('replays to the current state with no gap, for any event sequence', async () => {
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 25 }), async (events) => {
        const id = (await t.as(admin)('POST', '/api/users', { username: `prop${++n}`, displayName: 'p', password: 'Pass-word-1', roles: ['agent'], extension: `${5000 + n}` })).json().id as string;
        // Most interesting paths start from a ready agent; random events follow.
        for (const event of [{ type: 'sign_in' }, { type: 'ready' }, ...events] as AgentEvent[]) {
          try {
            await t.services.agents.apply(id, event, { validateReason: false });
          } catch (err) {
            if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
          }
        }
        const log = await t.db.selectFrom('agent_state_log').selectAll().where('agent_id', '=', id).orderBy('id').execute();
        const current = await t.services.agents.status(id);
        let state: AgentState = { kind: 'signed_out' };
        let at = 0;
        for (const row of log) {
          // The row keeps the event's name and the new state; the call is the new state's or the one just left.
          const callId = row.call_id ?? ('callId' in state ? state.callId : undefined);
          const r = transition(state, { ...(row.reason ? { reason: row.reason } : {}), ...(callId ? { callId } : {}), type: row.event } as AgentEvent);
          expect(r.ok && r.changed, `${row.event} from ${state.kind}`).toBe(true);
          if (r.ok) expect(r.state).toEqual(row.state);
          expect(row.at.getTime()).toBeGreaterThanOrEqual(at);
          state = row.state;
          at = row.at.getTime();
        }
        expect(current.state).toEqual(state);
        if (log.length) expect(new Date(current.since).getTime()).toBe(log[log.length - 1]!.at.getTime());
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});
