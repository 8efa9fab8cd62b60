import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

describe('call recordings', () => {
  let t: TestApp;
  let admin: string;
  let agent: { accessToken: string; userId: string };
  let sup: string;
  let otherSup: string;
  let otherAgent: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const mk = async (username: string, roles: string[], extra: object = {}) =>
      (await t.as(admin)('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles, ...extra })).json().id as string;
    const supId = await mk('sup1', ['supervisor']);
    const otherSupId = await mk('sup2', ['supervisor']);
    const g1 = (await t.as(admin)('POST', '/api/groups', { name: 'g1', supervisorIds: [supId] })).json().id;
    await t.as(admin)('POST', '/api/groups', { name: 'g2', supervisorIds: [otherSupId] });
    await mk('agent1', ['agent'], { extension: '1001', groupIds: [g1] });
    await mk('agent2', ['agent'], { extension: '1002' });
    agent = await t.login('agent1', 'Pass-word-1');
    sup = (await t.login('sup1', 'Pass-word-1')).accessToken;
    otherSup = (await t.login('sup2', 'Pass-word-1')).accessToken;
    otherAgent = (await t.login('agent2', 'Pass-word-1')).accessToken;
  });
  afterAll(() => t.close());

  const start = () =>
    t.as(agent.accessToken)('POST', '/api/recordings', {
      sipCallId: `call-${randomBytes(4).toString('hex')}`, direction: 'inbound', remoteNumber: '13800138000',
      mimeType: 'audio/webm;codecs=opus', startedAt: new Date().toISOString(),
    });
  const put = (token: string, id: string, seq: number, data: Buffer) =>
    t.app.inject({ method: 'PUT', url: `/api/recordings/${id}/chunks/${seq}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, payload: data });

  it('stores chunks in order, tolerates retries, verifies the checksum and plays back for the right people', async () => {
    const rec = (await start()).json();
    expect(rec.state).toBe('recording');
    const chunks = [randomBytes(3000), randomBytes(2500), randomBytes(10)];
    // Out of order, with a retried chunk.
    for (const seq of [1, 0, 2, 1]) expect((await put(agent.accessToken, rec.id, seq, chunks[seq]!)).statusCode).toBe(200);
    expect((await put(agent.accessToken, rec.id, 1, randomBytes(5))).statusCode).toBe(409);
    expect((await put(otherAgent, rec.id, 3, randomBytes(5))).statusCode).toBe(403);
    const all = Buffer.concat(chunks);
    const sha256 = createHash('sha256').update(all).digest('hex');
    const done = await t.as(agent.accessToken)('POST', `/api/recordings/${rec.id}/complete`, { chunks: 3, sha256, durationMs: 4200 });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ state: 'complete', bytes: all.length, chunks: 3, sha256, durationMs: 4200 });
    // A retried completion is harmless.
    expect((await t.as(agent.accessToken)('POST', `/api/recordings/${rec.id}/complete`, { chunks: 3, sha256, durationMs: 4200 })).statusCode).toBe(200);

    for (const [who, token, status] of [['agent', agent.accessToken, 200], ['own supervisor', sup, 200], ['admin', admin, 200], ['other supervisor', otherSup, 403], ['other agent', otherAgent, 403]] as const) {
      const audio = await t.as(token)('GET', `/api/recordings/${rec.id}/audio`);
      expect(audio.statusCode, who).toBe(status);
      if (status === 200) {
        expect(audio.rawPayload.equals(all), who).toBe(true);
        expect(audio.headers['content-type']).toBe('audio/webm;codecs=opus');
      }
    }
  });

  it('lists only the recordings the caller may listen to', async () => {
    const rec = (await start()).json();
    const ids = async (token: string) => (await t.as(token)('GET', `/api/recordings?sipCallId=${rec.sipCallId}`)).json().items.map((r: { id: string }) => r.id);
    expect(await ids(agent.accessToken)).toEqual([rec.id]);
    expect(await ids(sup)).toEqual([rec.id]);
    expect(await ids(admin)).toEqual([rec.id]);
    expect(await ids(otherSup)).toEqual([]);
    expect(await ids(otherAgent)).toEqual([]);
  });

  it('refuses completion with missing chunks, and rejects bad input without storing anything', async () => {
    const rec = (await start()).json();
    await put(agent.accessToken, rec.id, 0, randomBytes(100));
    const res = await t.as(agent.accessToken)('POST', `/api/recordings/${rec.id}/complete`, { chunks: 2, sha256: 'a'.repeat(64), durationMs: 1 });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toMatch(/missing 1/);
    expect((await put(agent.accessToken, rec.id, 1, Buffer.alloc(0))).statusCode).toBe(400);
    expect((await put(agent.accessToken, rec.id, 1, Buffer.alloc(1_048_577))).statusCode).toBe(413);
    const bad = await t.as(agent.accessToken)('POST', '/api/recordings', { sipCallId: '', direction: 'sideways', remoteNumber: 'x', mimeType: 'video/mp4', startedAt: 'now' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['sipCallId', 'direction', 'mimeType', 'startedAt']));
    expect((await t.as(agent.accessToken)('GET', '/api/recordings/not-a-uuid/audio')).statusCode).toBe(400);
  });

  it('closes a recording abandoned mid-call with everything that arrived', async () => {
    const rec = (await start()).json();
    const first = randomBytes(500);
    await put(agent.accessToken, rec.id, 0, first);
    expect(await t.services.recordings.closeAbandoned(0)).toBeGreaterThanOrEqual(1);
    const meta = (await t.as(agent.accessToken)('GET', `/api/recordings/${rec.id}`)).json();
    expect(meta).toMatchObject({ state: 'incomplete', bytes: 500, chunks: 1, sha256: createHash('sha256').update(first).digest('hex') });
    expect((await t.as(agent.accessToken)('GET', `/api/recordings/${rec.id}/audio`)).rawPayload.equals(first)).toBe(true);
  });
});
