/**
 * 语音信息批量上报 in the app: the recording of the call a forwarded ticket was filed from goes to
 * the province after the ticket's appeal, once, as checksummed chunks that resume where an
 * interrupted upload stopped; audio that no longer matches its checksum is a dead letter.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProvinceClient } from '../../src/server/modules/province/province-client.js';
import { ProvinceDispatcher } from '../../src/server/modules/province/dispatcher.js';
import { RequestSigner } from '../../src/server/modules/province/signing.js';
import { linkVoiceRecords, VoiceUploader } from '../../src/server/modules/province/voice.js';
import { RecordingStore } from '../../src/server/modules/recordings/recording-store.js';
import { ProvinceSimulator } from '../../tools/province-sim/simulator.js';
import { quietLog, testSigning, waitFor } from '../harness/province.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

describe('voice records to the province', () => {
  let t: TestApp;
  let sim: ProvinceSimulator;
  let agent: ReturnType<TestApp['as']>;
  let agentToken: string;
  let store: RecordingStore;
  let dispatcher: ProvinceDispatcher;
  let uploader: VoiceUploader;
  let client: ProvinceClient;

  beforeAll(async () => {
    sim = new ProvinceSimulator({ signing: testSigning, provinceCode: '33' });
    await sim.listen();
    const recordingsDir = mkdtempSync(join(tmpdir(), 'hotline-voice-'));
    store = new RecordingStore(recordingsDir);
    t = await createTestApp({
      provinceUrl: sim.url, provinceAppKey: testSigning.appKey, provinceAppSecret: testSigning.secret, provinceInbound: 'off',
      provinceBatchIntervalMs: 50, provinceTimeoutMs: 3000, provinceReconcileAt: '', recordingsDir,
    });
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    const res = await admin('POST', '/api/users', { username: 'agent1', displayName: '坐席一', password: 'Pass-word-1', roles: ['agent'], extension: '1001' });
    expect(res.statusCode, res.body).toBe(201);
    agentToken = (await t.login('agent1', 'Pass-word-1')).accessToken;
    agent = t.as(agentToken);
    // The app's own dispatcher forwards appeals; voice events are driven here with short backoffs.
    client = new ProvinceClient({ baseUrl: sim.url, signer: new RequestSigner(testSigning), timeoutMs: 1000 });
    uploader = new VoiceUploader(client, { audioPath: (id) => store.audioPath(id), chunkBytes: 64 * 1024 });
    dispatcher = new ProvinceDispatcher(t.db, client, {
      node: 'voice-test', intervalMs: 20, leaseMs: 4000, backoffInitialMs: 20, backoffMaxMs: 300, breakerThreshold: 1000,
    }, quietLog, uploader);
  });
  afterAll(async () => {
    dispatcher?.abort();
    await t?.close();
    await sim?.close();
  });

  /** A finished agent-side recording of a call, as the softphone uploads it. */
  async function recordCall(callId: string, audio: Buffer): Promise<string> {
    const rec = await agent('POST', '/api/recordings', {
      sipCallId: callId, direction: 'inbound', remoteNumber: '13900139000', mimeType: 'audio/webm;codecs=opus', startedAt: new Date().toISOString(),
    });
    expect(rec.statusCode, rec.body).toBe(201);
    const id = rec.json().id as string;
    const put = await t.app.inject({ method: 'PUT', url: `/api/recordings/${id}/chunks/0`, headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/octet-stream' }, payload: audio });
    expect(put.statusCode, put.body).toBe(200);
    const done = await agent('POST', `/api/recordings/${id}/complete`, { chunks: 1, sha256: createHash('sha256').update(audio).digest('hex'), durationMs: 61_000 });
    expect(done.statusCode, done.body).toBe(200);
    return id;
  }

  async function fileTicket(callId: string): Promise<{ id: string; ticketNo: string }> {
    const reg = await agent('POST', '/api/tickets', {
      clientId: randomUUID(), channel: 'phone', title: '噪音扰民', content: '夜间施工', appealType: 'complaint', regionCode: '330106', callId,
      citizen: { name: '李四', phone: '13900139000' },
    });
    expect(reg.statusCode, reg.body).toBe(201);
    const tk = reg.json();
    await waitFor(async () => (await agent('GET', `/api/tickets/${tk.id}`)).json().syncState === 'synced', 'appeal synced');
    return tk;
  }

  it('uploads the recording once, resuming interrupted uploads, and reports it after the appeal', async () => {
    const callId = `call-${randomUUID()}`;
    const audio = randomBytes(600 * 1024 + 123);
    // Filed during the call, recording finished afterwards: the sweep links them.
    const ticket = await fileTicket(callId);
    expect(await linkVoiceRecords(t.db)).toBe(0);
    const recordingId = await recordCall(callId, audio);
    await t.province.dispatcher!.stop();
    expect(await linkVoiceRecords(t.db)).toBe(1);
    expect(await linkVoiceRecords(t.db)).toBe(0); // once, however often the sweep runs

    // A node that died mid-upload left the first 100 KiB at the province.
    const head = audio.subarray(0, 100 * 1024);
    const sha256 = createHash('sha256').update(audio).digest('hex');
    const first = await client.putVoiceChunk(`${ticket.ticketNo}:voice:2`, {
      offset: 0, total: audio.length, sha256, chunkSha256: createHash('sha256').update(head).digest('hex'), data: head.toString('base64'),
    });
    expect(first).toEqual({ kind: 'ok', status: { key: `${ticket.ticketNo}:voice:2`, received: head.length, complete: false } });
    sim.setFaults({ failRate: 0.25, timeoutAfterCommitRate: 0.3, hangMs: 200 });
    dispatcher.start();
    await waitFor(async () => (await agent('GET', `/api/tickets/${ticket.id}`)).json().syncState === 'synced', 'voice synced', 60_000);
    await dispatcher.stop();
    sim.setFaults({ failRate: 0, timeoutAfterCommitRate: 0 });

    const key = `${ticket.ticketNo}:voice:2`;
    const held = sim.voices.get(key)!;
    expect(held.complete).toBe(true);
    expect(Buffer.concat(held.parts).equals(audio)).toBe(true);
    // Nothing the province held was sent again (the dead node's 100 KiB, chunks stored but never confirmed).
    expect(sim.stats.failedInjected).toBeGreaterThan(0);
    expect(sim.stats.voiceBytes).toBe(audio.length);
    expect(uploader.bytesSent).toBeLessThanOrEqual(audio.length - head.length); // asked first, then sent only the rest
    expect(sim.received()[ticket.ticketNo]).toEqual([1, 2]);
    expect(sim.events.get(key)!.item.data).toMatchObject({ recordingId, callId, bytes: audio.length, sha256: createHash('sha256').update(audio).digest('hex'), durationMs: 61_000 });
    const row = await t.db.selectFrom('province_outbox').select(['state', 'receipt']).where('idempotency_key', '=', key).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'sent', receipt: sim.events.get(key)!.receipt });
  }, 90_000);

  it('dead-letters a recording whose audio no longer matches its checksum, and the ticket shows 失败', async () => {
    const callId = `call-${randomUUID()}`;
    const audio = randomBytes(100 * 1024);
    const recordingId = await recordCall(callId, audio);
    dispatcher.start(); // the app's dispatcher was stopped above: this one forwards the appeal too
    const ticket = await fileTicket(callId);
    await dispatcher.stop();
    expect(await linkVoiceRecords(t.db)).toBe(1);
    writeFileSync(store.audioPath(recordingId), randomBytes(audio.length)); // same size, different bytes
    dispatcher.start();
    await waitFor(async () => (await agent('GET', `/api/tickets/${ticket.id}`)).json().syncState === 'failed', 'voice failed', 30_000);
    await dispatcher.stop();
    const dead = await t.db.selectFrom('province_outbox').select(['event_type', 'province_code', 'province_message']).where('state', '=', 'dead').execute();
    expect(dead).toEqual([{ event_type: 'voice', province_code: 'CHECKSUM_MISMATCH', province_message: expect.stringContaining('校验值不符') }]);
    expect(sim.events.has(`${ticket.ticketNo}:voice:2`)).toBe(false);
  }, 60_000);
});
