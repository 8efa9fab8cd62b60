/**
 * Province outbox and dispatcher against the province simulator on a real database:
 * sequence and keys, per-ticket order, per-item results, dead letters and re-send, retries
 * after timeouts (no duplicates upstream), the circuit breaker, several dispatchers at once,
 * and a dispatcher that dies mid-batch.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enqueueProvinceEvent, listDeadLetters, resendDeadLetter } from '../../src/server/modules/province/outbox.js';
import type { Db } from '../../src/server/db/database.js';
import { createProvinceKit, waitFor, type ProvinceKit } from '../harness/province.js';

const at = new Date('2025-03-03T02:00:00Z');

function appeal(regionCode = '440305') {
  return { title: '路灯不亮', content: '某路段路灯连续三晚不亮', appealType: 'help', urgency: 'normal' as const, channel: 'phone', acceptedAt: at.toISOString(), regionCode };
}
function status(s: string) {
  return { status: s, at: at.toISOString() };
}

async function enqueue(db: Db, ticketNo: string, events: ('appeal' | string)[], region?: string) {
  await db.transaction().execute(async (tx) => {
    for (const e of events) {
      if (e === 'appeal') await enqueueProvinceEvent(tx, { ticketNo, type: 'appeal', occurredAt: at, data: appeal(region) });
      else await enqueueProvinceEvent(tx, { ticketNo, type: 'status', occurredAt: at, data: status(e) });
    }
  });
}

async function outboxState(db: Db) {
  const rows = await db.selectFrom('province_outbox').select(['state']).execute();
  return { pending: rows.filter((r) => r.state === 'pending').length, sent: rows.filter((r) => r.state === 'sent').length, dead: rows.filter((r) => r.state === 'dead').length };
}

describe('province outbox', () => {
  let kit: ProvinceKit;
  beforeAll(async () => {
    kit = await createProvinceKit({ provinceCode: '44' });
  });
  afterAll(async () => kit.close());
  afterEach(async () => {
    kit.sim.reset();
    await kit.db.deleteFrom('province_outbox').execute();
    await kit.db.deleteFrom('province_stream').execute();
    await kit.db.deleteFrom('province_attempt').execute();
  });

  it('numbers events per ticket and keys them ticket:type:seq, in the caller\'s transaction', async () => {
    await enqueue(kit.db, 'T-1', ['appeal', 'dispatched', 'signed']);
    await enqueue(kit.db, 'T-2', ['appeal']);
    const rows = await kit.db.selectFrom('province_outbox').select(['ticket_no', 'seq', 'idempotency_key']).orderBy('id').execute();
    expect(rows.map((r) => r.idempotency_key)).toEqual(['T-1:appeal:1', 'T-1:status:2', 'T-1:status:3', 'T-2:appeal:1']);
    // A rolled-back ticket change leaves no event and no sequence number behind.
    await expect(kit.db.transaction().execute(async (tx) => {
      await enqueueProvinceEvent(tx, { ticketNo: 'T-1', type: 'status', occurredAt: at, data: status('processing') });
      throw new Error('ticket change failed');
    })).rejects.toThrow('ticket change failed');
    // Data that does not match the contract fails the caller's change at once.
    await expect(enqueueProvinceEvent(kit.db, { ticketNo: 'T-1', type: 'evaluation', occurredAt: at, data: { satisfaction: 'great' as never, at: at.toISOString() } }))
      .rejects.toThrow(/does not match the contract/);
    await enqueue(kit.db, 'T-1', ['processing']);
    expect((await kit.db.selectFrom('province_outbox').select('idempotency_key').where('ticket_no', '=', 'T-1').orderBy('seq', 'desc').executeTakeFirstOrThrow()).idempotency_key).toBe('T-1:status:4');
  });

  it('delivers every ticket\'s events in order, batching across tickets', async () => {
    for (let t = 0; t < 30; t++) await enqueue(kit.db, `T-${t}`, ['appeal', 'dispatched', 'signed', 'processing']);
    const d = kit.dispatcher('n1', { batchSize: 25, maxPerTicket: 3 });
    d.start();
    await waitFor(async () => (await outboxState(kit.db)).sent === 120, 'all sent');
    await d.stop();
    const received = kit.sim.received();
    expect(Object.keys(received)).toHaveLength(30);
    for (const seqs of Object.values(received)) expect(seqs).toEqual([1, 2, 3, 4]);
    expect(kit.sim.stats.stored).toBe(120);
    const attempts = await kit.db.selectFrom('province_attempt').select(['items', 'accepted', 'outcome']).execute();
    expect(attempts.every((a) => a.items <= 25)).toBe(true);
    // Each event acknowledged once (a slow answer past the timeout is retried and counted again as a duplicate).
    expect(attempts.reduce((n, a) => n + a.accepted, 0)).toBe(120 + kit.sim.stats.duplicates);
  }, 60_000);

  it('dead-letters a rejected event with the province\'s message, holds the ticket\'s later events, and re-sends after a fix', async () => {
    await enqueue(kit.db, 'T-bad', ['appeal', 'dispatched'], '110105'); // a Beijing region: not this province
    await enqueue(kit.db, 'T-good', ['appeal', 'dispatched']);
    const d = kit.dispatcher('n1');
    d.start();
    await waitFor(async () => (await outboxState(kit.db)).dead === 1 && (await outboxState(kit.db)).sent === 2, 'dead letter');
    const [dl] = await listDeadLetters(kit.db, 10);
    expect(dl).toMatchObject({ key: 'T-bad:appeal:1', provinceCode: 'REGION_OUT_OF_PROVINCE', heldBack: 1 });
    expect(dl!.provinceMessage).toContain('不属于本省');
    expect(kit.sim.received()['T-bad']).toBeUndefined();
    // Re-sending as is fails the same way; with the corrected region it goes through, then the held event.
    await resendDeadLetter(kit.db, dl!.id, { ...appeal('440303') });
    await waitFor(async () => (await outboxState(kit.db)).sent === 4, 'fixed and sent');
    await d.stop();
    expect(kit.sim.received()['T-bad']).toEqual([1, 2]);
    expect(kit.sim.events.get('T-bad:appeal:1')!.item.data.regionCode).toBe('440303');
    await expect(resendDeadLetter(kit.db, dl!.id)).rejects.toThrow(/只有失败/);
  });

  it('retries after timeouts-after-commit and 5xx without a duplicate upstream', async () => {
    for (let t = 0; t < 40; t++) await enqueue(kit.db, `T-${t}`, ['appeal', 'dispatched', 'signed']);
    kit.sim.setFaults({ failRate: 0.3, timeoutAfterCommitRate: 0.4, hangMs: 1000 });
    const d = kit.dispatcher('n1', { batchSize: 5, maxPerTicket: 1, breakerThreshold: 1000 }, 300);
    d.start();
    await waitFor(async () => (await outboxState(kit.db)).sent === 120, 'all sent', 100_000);
    await d.stop();
    expect(kit.sim.stats.timeoutsAfterCommit).toBeGreaterThan(0);
    expect(kit.sim.stats.failedInjected).toBeGreaterThan(0);
    expect(kit.sim.stats.duplicates).toBeGreaterThan(0); // retried after the province had stored them
    for (const seqs of Object.values(kit.sim.received())) expect(seqs).toEqual([1, 2, 3]);
    const reasons = await kit.db.selectFrom('province_attempt').select('outcome').where('outcome', '!=', 'ok').execute();
    expect(new Set(reasons.map((r) => r.outcome))).toEqual(new Set(['timeout', 'http_5xx']));
    // Each event keeps the receipt the province issued when it first stored it, even when we only heard it on a retry.
    const sent = await kit.db.selectFrom('province_outbox').select(['idempotency_key', 'receipt']).execute();
    for (const r of sent) expect(r.receipt, r.idempotency_key).toBe(kit.sim.events.get(r.idempotency_key)!.receipt);
  }, 120_000);

  it('opens the circuit during an outage and closes it afterwards', async () => {
    await enqueue(kit.db, 'T-1', ['appeal']);
    kit.sim.setFaults({ outageUntil: Date.now() + 60_000 });
    const d = kit.dispatcher('n1', { concurrency: 1, breakerThreshold: 3, breakerHalfOpenMs: 1500, backoffInitialMs: 5, backoffMaxMs: 10 });
    d.start();
    await waitFor(() => d.circuit === 'open', 'circuit open');
    const refusals = kit.sim.stats.outageRefusals;
    await new Promise((r) => setTimeout(r, 300));
    expect(kit.sim.stats.outageRefusals).toBe(refusals); // nothing sent while open
    kit.sim.setFaults({ outageUntil: 0 });
    await waitFor(async () => (await outboxState(kit.db)).sent === 1, 'sent after the outage');
    expect(d.circuit).toBe('closed');
    await d.stop();
  }, 60_000);

  it('lets several dispatchers share the outbox; a dispatcher killed mid-batch loses nothing', async () => {
    for (let t = 0; t < 60; t++) await enqueue(kit.db, `T-${t}`, ['appeal', 'dispatched', 'signed', 'processing', 'replied']);
    let batches = 0;
    const victim = kit.dispatcher('victim', { batchSize: 20, leaseMs: 1500 });
    const killer = new Promise<void>((resolve) => {
      kit.sim.setFaults({ latencyMs: 30 });
      const timer = setInterval(() => {
        batches = kit.sim.stats.batches;
        if (batches >= 3) {
          clearInterval(timer);
          victim.abort(); // its current request is cut, its claims stay until the lease expires
          resolve();
        }
      }, 5);
    });
    const a = kit.dispatcher('a', { batchSize: 20 });
    const b = kit.dispatcher('b', { batchSize: 20 });
    victim.start();
    a.start();
    b.start();
    await killer;
    await waitFor(async () => (await outboxState(kit.db)).sent === 300, 'all sent', 60_000);
    await Promise.all([a.stop(), b.stop()]);
    const received = kit.sim.received();
    expect(Object.keys(received)).toHaveLength(60);
    for (const seqs of Object.values(received)) expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(kit.sim.stats.stored).toBe(300);
  }, 120_000);
});
