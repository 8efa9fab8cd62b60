/**
 * ACD test helpers: a recording decision sink (stands in for the SIP server), a floor of
 * agents in a group answering a queue, and the invariants every ACD test checks against the
 * database (the state log and the live call table).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Db } from '../../src/server/db/database.js';
import type { AgentStateService } from '../../src/server/modules/agents/agent-state-service.js';
import type { RoutingDecision, RoutingDecisionSink } from '../../src/server/modules/acd/call-router.js';

export type Offer = Extract<RoutingDecision, { kind: 'offer' }>;

export class RecordingSink implements RoutingDecisionSink {
  readonly decisions: RoutingDecision[] = [];
  decide(d: RoutingDecision): void {
    this.decisions.push(d);
  }
  get offers(): Offer[] {
    return this.decisions.filter((d): d is Offer => d.kind === 'offer');
  }
  of(callId: string): RoutingDecision[] {
    return this.decisions.filter((d) => d.callId === callId);
  }
  lastOffer(callId: string): Offer | undefined {
    return this.offers.filter((d) => d.callId === callId).at(-1);
  }
}

let seq = 0;
/** Unique digits for queue numbers and extensions across one test file. */
export function nextNumber(prefix: string): string {
  seq += 1;
  return `${prefix}${String(seq).padStart(4, '0')}`;
}

export interface Floor {
  groupId: string;
  agents: string[];
}

/** A group of `n` agents with extensions (inserted directly: no sign-in needed to route). */
export async function makeFloor(db: Db, n: number): Promise<Floor> {
  const group = await db.insertInto('agent_group').values({ name: `g-${randomUUID().slice(0, 8)}` }).returning('id').executeTakeFirstOrThrow();
  const agents: string[] = [];
  for (let i = 0; i < n; i++) {
    const u = await db
      .insertInto('app_user')
      .values({ username: `a${randomUUID().slice(0, 12)}`, display_name: `坐席${i + 1}`, password_hash: 'x', roles: ['agent'], extension: nextNumber('7') })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('group_member').values({ group_id: group.id, user_id: u.id }).execute();
    agents.push(u.id);
  }
  return { groupId: group.id, agents };
}

/** Signs agents in and makes them ready one after another (the first is the longest idle). */
export async function makeReady(agents: AgentStateService, ids: string[]): Promise<void> {
  for (const id of ids) {
    const s = await agents.status(id);
    if (s.state.kind === 'signed_out') await agents.apply(id, { type: 'sign_in' });
    await agents.apply(id, { type: 'ready' });
  }
}

/**
 * The state log never shows an offer to an agent who was not ready (so never two offers at
 * once), and every reserved agent rings for exactly the call acd_call says it offered.
 */
export async function assertReservationsSound(db: Db): Promise<void> {
  const log = await db.selectFrom('agent_state_log').select(['agent_id', 'event', 'kind', 'call_id']).orderBy('id').execute();
  const last = new Map<string, string>();
  for (const r of log) {
    if (r.event === 'offer') expect(last.get(r.agent_id), `agent ${r.agent_id} offered ${r.call_id} while ${last.get(r.agent_id)}`).toBe('ready');
    last.set(r.agent_id, r.kind);
  }
  const offered = await db.selectFrom('acd_call').select(['call_id', 'agent_id']).where('state', '=', 'offered').execute();
  expect(new Set(offered.map((o) => o.agent_id)).size).toBe(offered.length);
  for (const o of offered) {
    const s = await db.selectFrom('agent_state').select('state').where('agent_id', '=', o.agent_id!).executeTakeFirstOrThrow();
    expect(s.state).toEqual({ kind: 'reserved', callId: o.call_id });
  }
}
