/**
 * The automatic voice service without a phone: its configuration (shared zod schema, file
 * resolution), working hours, the menu session against fake media and signalling (keys,
 * no input, hang-up, closing announcements), and the ACD's after-hours and queue-full
 * handling on a real database (callback task opened, caller told, call released).
 */
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AcdService } from '../../src/server/modules/acd/acd-service.js';
import { loadIvrConfig, parseIvrConfig } from '../../src/server/telephony/ivr/ivr-config.js';
import { IvrService, type IvrMedia } from '../../src/server/telephony/ivr/ivr-service.js';
import { DtmfListener, standInAnswer } from '../../src/server/telephony/ivr/rtpengine-ivr.js';
import { deriveCallTimes } from '../../src/shared/call-times.js';
import { IvrConfigSchema, isOpenAt, positionPrompts, type IvrConfig } from '../../src/shared/ivr.js';
import { makeFloor, makeReady, nextNumber, RecordingSink } from '../harness/acd-floor.js';
import { freePorts } from '../harness/free-port.js';
import { createTestApp, type TestApp } from '../harness/test-app.js';

const base = {
  numbers: ['12345'],
  welcome: 'welcome.wav',
  menu: { prompt: 'menu.wav', options: [{ digit: '1', queue: '12345', label: '综合' }, { digit: '2', queue: '12315', label: '消费投诉' }], timeoutSeconds: 5, defaultQueue: '12345' },
  hold: 'hold.wav',
  closed: 'closed.wav',
  busy: 'busy.wav',
};

const position = {
  ahead: 'ahead.wav',
  numbers: Array.from({ length: 21 }, (_, n) => `n${n}.wav`),
  callers: 'callers.wav',
  many: 'many.wav',
  everySeconds: 10,
};

describe('voice-service configuration', () => {
  it('accepts the shipped configuration and resolves its recordings', () => {
    const c = loadIvrConfig(join(process.cwd(), 'resources/ivr/ivr.json'));
    expect(c.menu?.options.map((o) => [o.digit, o.queue])).toEqual([['1', '12345'], ['2', '12315']]);
    expect(c.hold).toMatch(/^\/.*resources\/announcements\/hold\.wav$/);
    // Position announcements ship on, with numbers 0-20 (files resolved and present).
    expect(c.position?.numbers).toHaveLength(21);
    expect(c.position?.numbers[20]).toMatch(/\/resources\/announcements\/position\/20\.wav$/);
    expect(c.position?.everySeconds).toBe(30);
  });

  it('position announcements: validated, their files resolved; which parts say which place', () => {
    const ok = (position: object) => IvrConfigSchema.safeParse({ ...base, position }).success;
    expect(ok(position)).toBe(true);
    expect(ok({ ...position, numbers: [] })).toBe(false);
    expect(ok({ ...position, everySeconds: 2 })).toBe(false);
    expect(ok({ ...position, everySeconds: 12.5 })).toBe(false);
    expect(ok({ ...position, many: undefined })).toBe(false);
    expect(ok({ ...position, numbers: ['3.ogg'] })).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'ivr-pos-'));
    for (const f of ['welcome', 'menu', 'hold', 'closed', 'busy', 'ahead', 'callers', 'many', ...position.numbers.slice(0, 20).map((n) => n.replace('.wav', ''))]) writeFileSync(join(dir, `${f}.wav`), '');
    expect(() => parseIvrConfig({ ...base, position }, dir)).toThrow(/position\.numbers\.20.*does not exist/);
    writeFileSync(join(dir, 'n20.wav'), '');
    expect(parseIvrConfig({ ...base, position }, dir).position?.numbers[7]).toBe(join(dir, 'n7.wav'));

    const p = IvrConfigSchema.parse({ ...base, position }).position!;
    expect(p.everySeconds).toBe(10);
    expect(positionPrompts(p, 0)).toEqual(['ahead.wav', 'n0.wav', 'callers.wav']);
    expect(positionPrompts({ ...p, next: 'next.wav' }, 0)).toEqual(['next.wav']);
    expect(positionPrompts(p, 1)).toEqual(['ahead.wav', 'n1.wav', 'callers.wav']);
    expect(positionPrompts(p, 20)).toEqual(['ahead.wav', 'n20.wav', 'callers.wav']);
    expect(positionPrompts(p, 21)).toEqual(['many.wav']);
    expect(positionPrompts(p, 500)).toEqual(['many.wav']);
    // A site with fewer recorded numbers: beyond them, "many".
    expect(positionPrompts({ ...p, numbers: ['n0.wav', 'n1.wav', 'n2.wav'] }, 3)).toEqual(['many.wav']);
  });

  it('refuses menus a caller could not use and files that do not exist', () => {
    const bad = (patch: object) => IvrConfigSchema.safeParse({ ...base, ...patch }).success;
    expect(bad({})).toBe(true);
    expect(bad({ menu: { ...base.menu, options: [{ digit: '1', queue: '12345', label: 'a' }, { digit: '1', queue: '12315', label: 'b' }] } })).toBe(false);
    expect(bad({ menu: { ...base.menu, options: [{ digit: '12', queue: '12345', label: 'a' }] } })).toBe(false);
    expect(bad({ menu: { ...base.menu, options: [] } })).toBe(false);
    expect(bad({ menu: { ...base.menu, defaultQueue: 'no queue!' } })).toBe(false);
    expect(bad({ hold: 'music.ogg' })).toBe(false);
    expect(bad({ numbers: [] })).toBe(false);
    expect(bad({ extra: 1 })).toBe(false);
    expect(bad({ hours: { periods: [{ days: [1], from: '18:00', to: '08:00' }] } })).toBe(false);
    expect(bad({ hours: { timeZone: 'Mars/Olympus', periods: [{ days: [1], from: '08:00', to: '18:00' }] } })).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'ivr-cfg-'));
    for (const f of ['welcome', 'menu', 'hold', 'closed']) writeFileSync(join(dir, `${f}.wav`), '');
    expect(() => parseIvrConfig(base, dir)).toThrow(/busy.*does not exist/);
    writeFileSync(join(dir, 'busy.wav'), '');
    expect(parseIvrConfig(base, dir).busy).toBe(join(dir, 'busy.wav'));
  });

  it('working hours are read in the site time zone, with closed dates', () => {
    const hours = IvrConfigSchema.parse({ ...base, hours: { periods: [{ days: [1, 2, 3, 4, 5], from: '08:30', to: '17:30' }, { days: [6], from: '09:00', to: '12:00' }], closedDates: ['2025-10-01'] } }).hours;
    // 2025-09-29 is a Monday. 00:30Z = 08:30 in Shanghai.
    expect(isOpenAt(hours, new Date('2025-09-29T00:29:00Z'))).toBe(false);
    expect(isOpenAt(hours, new Date('2025-09-29T00:30:00Z'))).toBe(true);
    expect(isOpenAt(hours, new Date('2025-09-29T09:29:00Z'))).toBe(true);
    expect(isOpenAt(hours, new Date('2025-09-29T09:30:00Z'))).toBe(false);
    expect(isOpenAt(hours, new Date('2025-10-04T02:00:00Z'))).toBe(true); // Saturday 10:00
    expect(isOpenAt(hours, new Date('2025-10-05T02:00:00Z'))).toBe(false); // Sunday
    expect(isOpenAt(hours, new Date('2025-10-01T02:00:00Z'))).toBe(false); // closed date (Wednesday)
    expect(isOpenAt(undefined, new Date('2025-10-05T20:00:00Z'))).toBe(true);
  });

  it('the stand-in answer picks the offered G.711 codec and keeps telephone-event', () => {
    const offer = 'v=0\r\nm=audio 40000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n';
    const a = standInAnswer(offer);
    expect(a).toMatch(/^m=audio 9 RTP\/AVP 8 101\r$/m);
    expect(a).toContain('a=rtpmap:101 telephone-event/8000');
    expect(() => standInAnswer('v=0\r\n')).toThrow(/no audio/);
  });
});

class FakeMedia implements IvrMedia {
  log: string[] = [];
  lengths: Record<string, number> = {};
  failOpen = false;
  async open(callId: string) {
    if (this.failOpen) throw new Error('rtpengine down');
    this.log.push(`open ${callId}`);
    return { sdp: 'v=0\r\n', toTag: 'ivr-x' };
  }
  async play(_c: string, _f: string, file: string, loop: boolean) {
    this.log.push(`play ${file}${loop ? ' (loop)' : ''}`);
    return this.lengths[file] ?? 1000;
  }
  async stop() {
    this.log.push('stop');
  }
  async close(callId: string) {
    this.log.push(`close ${callId}`);
  }
}

describe('voice-service sessions (fake media, fake clock)', () => {
  const quiet = { info: () => undefined, warn: () => undefined };
  const config: IvrConfig = IvrConfigSchema.parse({ ...base, hours: { periods: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '20:00' }] } });
  const monday10 = new Date('2025-09-29T02:00:00Z');
  const sunday10 = new Date('2025-10-05T02:00:00Z');
  let media: FakeMedia;
  let progress: string[];
  const service = (at = monday10) => {
    media = new FakeMedia();
    progress = [];
    return new IvrService(config, media, { sessionProgress: async (_t, toTag) => void progress.push(toTag) }, quiet, () => at);
  };
  const call = (callId = 'c1', dialled = '12345') => ({ callId, ftag: 'f1', sdp: 'v=0', dialled, index: 1, label: 2 });
  beforeAll(() => vi.useFakeTimers());
  afterEach(() => vi.clearAllTimers());
  afterAll(() => vi.useRealTimers());

  it('no key: welcome, menu, the timeout, then the default queue with music on hold', async () => {
    const ivr = service();
    const chosen = ivr.greet(call());
    await vi.advanceTimersByTimeAsync(1000 + 1000 + 4999);
    expect(media.log).not.toContain('play hold.wav (loop)');
    await vi.advanceTimersByTimeAsync(2);
    expect(await chosen).toBe('12345');
    expect(progress).toEqual(['ivr-x']);
    expect(media.log).toEqual(['open c1', 'play welcome.wav', 'play menu.wav', 'play hold.wav (loop)']);
    expect(ivr.has('c1')).toBe(true);
    ivr.end('c1');
    expect(ivr.has('c1')).toBe(false);
    expect(media.log.at(-1)).toBe('close c1');
  });

  it('a key during the welcome skips the menu prompt; keys the menu does not offer are ignored', async () => {
    const ivr = service();
    const chosen = ivr.greet(call());
    await vi.advanceTimersByTimeAsync(100);
    ivr.digit('c1', '9');
    ivr.digit('c1', '2');
    await vi.advanceTimersByTimeAsync(1);
    expect(await chosen).toBe('12315');
    expect(media.log).toEqual(['open c1', 'play welcome.wav', 'stop', 'play hold.wav (loop)']);
  });

  it('a key during the menu prompt counts too', async () => {
    const ivr = service();
    const chosen = ivr.greet(call());
    await vi.advanceTimersByTimeAsync(1500);
    ivr.digit('c1', '1');
    await vi.advanceTimersByTimeAsync(1);
    expect(await chosen).toBe('12345');
    expect(media.log).toContain('play menu.wav');
  });

  it('a caller who hangs up during the menu is not queued; the call counts against the default queue', async () => {
    const ivr = service();
    const chosen = ivr.greet(call());
    await vi.advanceTimersByTimeAsync(1500);
    ivr.end('c1');
    expect(await chosen).toBeNull();
    expect(ivr.queueWithoutInput('12345')).toBe('12345');
    expect(new IvrService({ ...config, menu: { ...config.menu!, defaultQueue: '12315' } }, media, { sessionProgress: async () => undefined }, quiet).queueWithoutInput('12345')).toBe('12315');
    // Numbers without the menu stay on their own queue.
    expect(ivr.queueWithoutInput('12388')).toBe('12388');
  });

  it('numbers outside the menu only hear music; after hours there is no menu', async () => {
    const ivr = service();
    expect(await ivr.greet(call('c2', '12315'))).toBe('12315');
    expect(media.log).toEqual(['open c2', 'play hold.wav (loop)']);
    const closed = service(sunday10);
    const chosen = closed.greet(call('c3'));
    await vi.advanceTimersByTimeAsync(1001);
    expect(await chosen).toBe('12345');
    expect(media.log).toEqual(['open c3', 'play welcome.wav', 'play hold.wav (loop)']);
  });

  it('closing announcements: closed and busy play to the end, then the session is released', async () => {
    const ivr = service();
    media.lengths['closed.wav'] = 3000;
    const greeted = ivr.greet(call('c4', '12315'));
    await greeted;
    let done = false;
    const bye = ivr.farewell('c4', 'closed').then(() => (done = true));
    await vi.advanceTimersByTimeAsync(3000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(400);
    await bye;
    expect(media.log.slice(-3)).toEqual(['stop', 'play closed.wav', 'close c4']);
    expect(ivr.has('c4')).toBe(false);
    await ivr.greet(call('c5', '12315'));
    const busy = ivr.farewell('c5', 'queue_full');
    await vi.advanceTimersByTimeAsync(1400);
    await busy;
    expect(media.log).toContain('play busy.wav');
  });

  it('position announcements: after one pass of the hold music, then every everySeconds, the parts in sequence and the music again', async () => {
    media = new FakeMedia();
    const ivr = new IvrService(IvrConfigSchema.parse({ ...base, position }), media, { sessionProgress: async () => undefined }, quiet, () => monday10);
    media.lengths['hold.wav'] = 8000;
    media.lengths['ahead.wav'] = 1200;
    media.lengths['n3.wav'] = 500;
    media.lengths['callers.wav'] = 2000;
    const places: (number | null)[] = [3, null, 25, 0];
    const asked: string[] = [];
    ivr.queuePosition = async (callId) => {
      asked.push(callId);
      return places.shift() ?? null;
    };
    expect(await ivr.greet(call('p1', '12315'))).toBe('12315');
    expect(media.log).toEqual(['open p1', 'play hold.wav (loop)']);
    await vi.advanceTimersByTimeAsync(7999);
    expect(asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toEqual(['p1']);
    expect(media.log.slice(2)).toEqual(['play ahead.wav']);
    // Each part starts when the one before has ended (its length from the media bridge).
    await vi.advanceTimersByTimeAsync(1199);
    expect(media.log.slice(2)).toEqual(['play ahead.wav']);
    await vi.advanceTimersByTimeAsync(1);
    expect(media.log.slice(2)).toEqual(['play ahead.wav', 'play n3.wav']);
    ivr.digit('p1', '5'); // keys do not disturb it
    await vi.advanceTimersByTimeAsync(500);
    expect(media.log.slice(2)).toEqual(['play ahead.wav', 'play n3.wav', 'play callers.wav']);
    await vi.advanceTimersByTimeAsync(2000);
    expect(media.log.slice(2)).toEqual(['play ahead.wav', 'play n3.wav', 'play callers.wav', 'play hold.wav (loop)']);
    // 10 s later the call is ringing an agent (no place): music only.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(asked).toHaveLength(2);
    expect(media.log).toHaveLength(6);
    // Then 25 callers ahead: more than the numbers say.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(media.log.slice(6)).toEqual(['play many.wav']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(media.log.slice(6)).toEqual(['play many.wav', 'play hold.wav (loop)']);
    // The closing announcement cuts the next one short: nothing plays after it but its own.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(media.log.at(-1)).toBe('play ahead.wav');
    const bye = ivr.farewell('p1', 'max_wait');
    await vi.advanceTimersByTimeAsync(5000);
    await bye;
    expect(media.log.slice(-4)).toEqual(['play ahead.wav', 'stop', 'play busy.wav', 'close p1']);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(media.log.at(-1)).toBe('close p1');
    expect(asked).toHaveLength(4);
  });

  it('position announcements stop when the caller leaves or is answered', async () => {
    media = new FakeMedia();
    const ivr = new IvrService(IvrConfigSchema.parse({ ...base, position }), media, { sessionProgress: async () => undefined }, quiet, () => monday10);
    let asked = 0;
    ivr.queuePosition = async () => {
      asked++;
      return 1;
    };
    await ivr.greet(call('p2', '12315'));
    await vi.advanceTimersByTimeAsync(1500);
    expect(media.log.slice(-1)).toEqual(['play ahead.wav']);
    ivr.end('p2');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(media.log.slice(-2)).toEqual(['play ahead.wav', 'close p2']);
    expect(asked).toBe(1);
  });

  it('no media bridge: the call is queued without announcements', async () => {
    const ivr = service();
    media.failOpen = true;
    expect(await ivr.greet(call('c6'))).toBe('12345');
    expect(ivr.has('c6')).toBe(false);
  });
});

describe('ACD: after hours and queue full close the call with a callback task', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const setup = async (isOpen: (at: Date) => boolean, maxQueueLength = 10) => {
    const sink = new RecordingSink();
    const acd = new AcdService(t.db, t.services.agents, { ringGraceSeconds: 5, sweepIntervalMs: 0, isOpen }, { warn: () => undefined, error: () => undefined });
    acd.setSink(sink);
    const floor = await makeFloor(t.db, 1);
    const number = nextNumber('8');
    const q = await t.services.queues.upsert(null, { code: `q${number}`, name: `队列${number}`, numbers: [number], groupIds: [floor.groupId], maxQueueLength }, null);
    return { sink, acd, floor, number, q };
  };

  it('after hours: overflow "closed", the call record ends overflowed and the caller gets a callback task', async () => {
    const { sink, acd, floor, number } = await setup(() => false);
    await makeReady(t.services.agents, floor.agents);
    const callId = `call-${randomUUID()}`;
    await acd.arrived({ callId, dialled: number, caller: '13700001111', trunk: 'pstn', at: new Date() });
    expect(sink.of(callId)).toEqual([{ kind: 'overflow', callId, reason: 'closed' }]);
    const rec = await t.db.selectFrom('call_record').selectAll().where('call_id', '=', callId).executeTakeFirstOrThrow();
    expect(rec.result).toBe('overflowed');
    expect(rec.trunk).toBe('pstn');
    const task = await t.db.selectFrom('callback_task').selectAll().where('last_call_id', '=', callId).executeTakeFirstOrThrow();
    expect(task.status).not.toBe('done');
    // Nobody was offered the call although an agent was ready.
    expect((await t.services.agents.status(floor.agents[0]!)).state.kind).toBe('ready');
    await acd.stop();
  });

  it('a caller who hangs up in the menu: abandoned record against the default queue (never queued, with its wait) and a callback task', async () => {
    const { sink, acd, floor, number, q } = await setup(() => true);
    await makeReady(t.services.agents, floor.agents);
    const callId = `call-${randomUUID()}`;
    const arrived = new Date(Date.now() - 7_000);
    const left = new Date(arrived.getTime() + 6_500);
    await acd.leftBeforeQueue({ callId, dialled: '12345', caller: '13700005555', trunk: 'pstn', at: arrived }, number, left);
    // The abandon fact Kamailio reports next, and a repeated report, change nothing.
    await acd.abandoned(callId, new Date());
    await acd.leftBeforeQueue({ callId, dialled: '12345', caller: '13700005555', trunk: 'pstn', at: arrived }, number, new Date());
    const rec = await t.db.selectFrom('call_record').selectAll().where('call_id', '=', callId).executeTakeFirstOrThrow();
    expect(rec).toMatchObject({ result: 'abandoned', ended_by: 'caller', queue_id: q.id, queued_at: null, called: '12345', trunk: 'pstn', direction: 'inbound', answered_at: null, agent_id: null });
    expect(deriveCallTimes({ arrivedAt: rec.arrived_at, answeredAt: null, endedAt: rec.ended_at, wrapUpEndedAt: null, holds: [] }).waitSeconds).toBe(6.5);
    const task = await t.db.selectFrom('callback_task').selectAll().where('last_call_id', '=', callId).executeTakeFirstOrThrow();
    expect(task).toMatchObject({ status: 'open', reason: 'abandoned', queue_id: q.id, missed_count: 1, caller_normalised: '13700005555' });
    // Nobody was offered anything; the ready agent stays ready.
    expect(sink.of(callId)).toEqual([]);
    expect((await t.services.agents.status(floor.agents[0]!)).state.kind).toBe('ready');
    // A queue number nobody answers: still a record (no queue) and a task.
    const stray = `call-${randomUUID()}`;
    await acd.leftBeforeQueue({ callId: stray, dialled: '12345', caller: '13700006666', trunk: 'pstn', at: arrived }, 'no-such-queue', left);
    expect((await t.db.selectFrom('call_record').select(['queue_id', 'result']).where('call_id', '=', stray).executeTakeFirstOrThrow())).toEqual({ queue_id: null, result: 'abandoned' });
    expect(await t.db.selectFrom('callback_task').select('id').where('last_call_id', '=', stray).executeTakeFirst()).toBeDefined();
    await acd.stop();
  });

  it('callers ahead: the ACD\'s place among the queue\'s waiting calls; null unless waiting', async () => {
    const { acd, floor, number } = await setup(() => true);
    const calls = [0, 1, 2].map(() => `call-${randomUUID()}`);
    const t0 = Date.now() - 60_000;
    for (const [i, callId] of calls.entries()) await acd.arrived({ callId, dialled: number, caller: `1370000777${i}`, trunk: 'pstn', at: new Date(t0 + i * 1000) });
    const ahead = () => Promise.all(calls.map((c) => t.services.queues.callersAhead(c)));
    expect(await ahead()).toEqual([0, 1, 2]);
    // The second gives up: the third moves up.
    await acd.abandoned(calls[1]!, new Date());
    expect(await ahead()).toEqual([0, null, 1]);
    // An agent takes the head: ringing is not waiting; the last is now first.
    await makeReady(t.services.agents, floor.agents);
    await acd.settled();
    expect(await ahead()).toEqual([null, null, 0]);
    expect(await t.services.queues.callersAhead('no-such-call')).toBeNull();
    await acd.stop();
  });

  it('within hours the same call is offered; a full queue overflows with a callback task', async () => {
    const { sink, acd, floor, number } = await setup(() => true, 1);
    await makeReady(t.services.agents, floor.agents);
    const first = `call-${randomUUID()}`;
    await acd.arrived({ callId: first, dialled: number, caller: '13700002222', trunk: 'pstn', at: new Date() });
    expect(sink.of(first)[0]?.kind).toBe('offer');
    // The only agent is ringing: the next caller waits, the one after finds the queue full.
    const second = `call-${randomUUID()}`;
    await acd.arrived({ callId: second, dialled: number, caller: '13700003333', trunk: 'pstn', at: new Date() });
    expect(sink.of(second)).toEqual([]);
    const third = `call-${randomUUID()}`;
    await acd.arrived({ callId: third, dialled: number, caller: '13700004444', trunk: 'pstn', at: new Date() });
    expect(sink.of(third)).toEqual([{ kind: 'overflow', callId: third, reason: 'queue_full' }]);
    expect(await t.db.selectFrom('callback_task').select('id').where('last_call_id', '=', third).executeTakeFirst()).toBeDefined();
    await acd.stop();
  });
});

describe('rtpengine DTMF log listener', () => {
  it('reports each key with its Call-ID; ignores datagrams that are not DTMF events; survives a failing handler', async () => {
    const [port] = await freePorts(1);
    const keys: string[] = [];
    const failures: unknown[] = [];
    const listener = new DtmfListener(port!, (callId, digit, fromTag) => {
      if (digit === '9') throw new Error('handler bug');
      keys.push(`${callId}/${digit}/${fromTag ?? '-'}`);
    }, (err) => failures.push(err));
    await listener.start();
    const out = createSocket('udp4');
    const send = (text: string) => new Promise<void>((resolve, reject) => out.send(text, port!, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    try {
      await send('not json');
      await send(JSON.stringify({ callid: 'c1', event: 16 })); // no such key
      await send(JSON.stringify({ event: 1 })); // no Call-ID
      await send(JSON.stringify({ callid: 'c1', event: 9 })); // the handler throws
      await send(JSON.stringify({ callid: 'c1', source_tag: 'ft', event: 11, duration: 80 })); // '#', extra fields kept out
      await send(JSON.stringify({ callid: 'c2', event: 10 }));
      await vi.waitFor(() => expect(keys).toEqual(['c1/#/ft', 'c2/*/-']));
      expect(listener.ignored).toBe(3);
      expect(failures).toHaveLength(1);
    } finally {
      out.close();
      listener.stop();
    }
  });
});
