/**
 * Two backend nodes on one database: each has its own AcdService and AgentStateService (and,
 * on PostgreSQL, its own connection pool); calls arrive and agents become ready on either.
 * No agent is ever offered two calls and every call is served once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/server/db/database.js';
import { AcdService } from '../../src/server/modules/acd/acd-service.js';
import type { RoutingDecision } from '../../src/server/modules/acd/call-router.js';
import { PgDecisionRelay } from '../../src/server/modules/acd/decision-relay.js';
import { AgentStateService } from '../../src/server/modules/agents/agent-state-service.js';
import { assertReservationsSound, makeFloor, makeReady, nextNumber, RecordingSink, type Offer } from '../harness/acd-floor.js';
import { createTestApp, type TestApp } from '../harness/test-app.js';

const quiet = { warn: () => {}, error: (o: object, msg: string) => console.error(msg, o) };

describe('ACD on two nodes', () => {
  let t: TestApp;
  let db2: Db;
  let agents2: AgentStateService;
  let acd2: AcdService;
  const sink1 = new RecordingSink();
  const sink2 = new RecordingSink();
  beforeAll(async () => {
    t = await createTestApp();
    // PGlite is one in-process session: the second "node" shares it. PostgreSQL: a second pool.
    db2 = t.database.kind === 'postgresql' ? (await openDatabase({ databaseUrl: t.config.databaseUrl, dataDir: '.', inMemory: false })).db : t.db;
    agents2 = new AgentStateService(db2, t.services.agents.settings, { changed: () => {}, signedOut: async () => {} }, quiet);
    acd2 = new AcdService(db2, agents2, { ringGraceSeconds: 5, sweepIntervalMs: 0 }, quiet);
    await acd2.start();
    t.services.acd.setSink(sink1);
    acd2.setSink(sink2);
  });
  afterAll(async () => {
    await acd2?.stop();
    agents2?.stop();
    if (db2 && db2 !== t.db) await db2.destroy();
    await t?.close();
  });

  it('never double-offers an agent while calls arrive and agents free up on both nodes', async () => {
    const floor = await makeFloor(t.db, 8);
    const number = nextNumber('9');
    await t.services.queues.upsert(null, { code: `n${number}`, name: '双节点', numbers: [number], groupIds: [floor.groupId], maxQueueLength: 100 }, null);
    const nodes = [
      { acd: t.services.acd as AcdService, agents: t.services.agents },
      { acd: acd2, agents: agents2 },
    ];
    // Half the agents become ready on each node while the first calls arrive on both.
    const calls = Array.from({ length: 40 }, () => `call-${randomUUID()}`);
    await Promise.all([
      makeReady(t.services.agents, floor.agents.slice(0, 4)),
      makeReady(agents2, floor.agents.slice(4)),
      ...calls.slice(0, 20).map((callId, i) => nodes[i % 2]!.acd.arrived({ callId, dialled: number, caller: `1380000${String(i).padStart(4, '0')}`, trunk: null, at: new Date() })),
    ]);
    await Promise.all(nodes.map((n) => n.acd.settled()));
    await assertReservationsSound(t.db);

    const offers = () => [...sink1.offers, ...sink2.offers];
    const served = new Set<string>();
    let arrivedMore = false;
    for (let round = 0; served.size < calls.length && round < 200; round++) {
      const pending = offers().filter((o) => !served.has(o.callId));
      await Promise.all([
        ...pending.map(async (o: Offer, i) => {
          served.add(o.callId);
          const node = nodes[i % 2]!;
          const other = nodes[(i + 1) % 2]!;
          await node.acd.answered(o.callId, o.agentId, new Date());
          await other.acd.ended(o.callId, 'caller', new Date());
          await node.agents.apply(o.agentId, { type: 'wrap_up_done' });
        }),
        // The second half of the calls arrives while agents are finishing.
        ...(arrivedMore ? [] : calls.slice(20).map((callId, i) => nodes[i % 2]!.acd.arrived({ callId, dialled: number, caller: `1381000${String(i).padStart(4, '0')}`, trunk: null, at: new Date() }))),
      ]);
      arrivedMore = true;
      await Promise.all(nodes.map((n) => n.acd.settled()));
      await assertReservationsSound(t.db);
    }
    expect(served.size).toBe(40);
    // Each call was offered exactly once (nobody failed to answer), by whichever node decided.
    expect(offers().map((o) => o.callId).sort()).toEqual([...calls].sort());
    expect(sink1.offers.length).toBeGreaterThan(0);
    expect(sink2.offers.length).toBeGreaterThan(0);
    const results = await t.db.selectFrom('call_record').select(['call_id', 'result']).where('call_id', 'in', calls).execute();
    expect(results.filter((r) => r.result === 'answered')).toHaveLength(40);
  });

  // Only PostgreSQL runs several nodes; PGlite is one process.
  it.skipIf(process.env.DATABASE_URL === undefined)('a decision made on the node where an agent became ready reaches the node whose SIP side holds the call', async () => {
    const floor = await makeFloor(t.db, 1);
    const number = nextNumber('9');
    await t.services.queues.upsert(null, { code: `r${number}`, name: '转发', numbers: [number], groupIds: [floor.groupId] }, null);
    // Node 1's SIP side holds the call; node 2's holds none, so node 2 relays what it decides.
    const held = new Set<string>();
    const got1: RoutingDecision[] = [];
    const got2: RoutingDecision[] = [];
    t.services.acd.setSink({ decide: (d) => got1.push(d), holds: (id) => held.has(id) });
    acd2.setSink({ decide: (d) => got2.push(d), holds: () => false });
    const relay2 = new PgDecisionRelay(t.config.databaseUrl!, (d) => acd2.deliverRelayed(d), quiet);
    await relay2.start();
    acd2.setRelay(relay2);
    try {
      const callId = `call-${randomUUID()}`;
      held.add(callId);
      await t.services.acd.arrived({ callId, dialled: number, caller: '13800000000', trunk: null, at: new Date() });
      expect(got1).toEqual([]);
      await makeReady(agents2, floor.agents);
      await acd2.settled();
      await expect.poll(() => got1).toEqual([{ kind: 'offer', callId, agentId: floor.agents[0], extension: expect.any(String) as string, ringSeconds: 15 }]);
      expect(got2).toEqual([]);
      await t.services.acd.abandoned(callId, new Date());
    } finally {
      acd2.setRelay(null);
      await relay2.stop();
    }
  });
});
