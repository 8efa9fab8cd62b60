import { describe, expect, it } from 'vitest';
import { fetchSipWebSocketUrls, type FetchLike } from './site-info.js';

const log = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} } as never;
const site = { name: 'x', version: '1', demo: false, serverTime: new Date().toISOString(), sipWebSocketUrls: ['wss://sip.example:7443'] };

describe('fetchSipWebSocketUrls', () => {
  it('reads the published SIP servers', async () => {
    const calls: string[] = [];
    const f: FetchLike = async (url) => (calls.push(url), { ok: true, status: 200, json: async () => site });
    expect(await fetchSipWebSocketUrls('https://h.example/', f, log)).toEqual(['wss://sip.example:7443']);
    expect(calls).toEqual(['https://h.example/api/site']);
  });

  it('returns null on failure or a malformed answer, so the last known list stays', async () => {
    expect(await fetchSipWebSocketUrls('https://h.example', async () => ({ ok: false, status: 502, json: async () => ({}) }), log)).toBeNull();
    expect(await fetchSipWebSocketUrls('https://h.example', async () => ({ ok: true, status: 200, json: async () => ({ sipWebSocketUrls: 'x' }) }), log)).toBeNull();
    expect(await fetchSipWebSocketUrls('https://h.example', async () => { throw new Error('down'); }, log)).toBeNull();
    expect(await fetchSipWebSocketUrls(null, async () => { throw new Error('unused'); }, log)).toBeNull();
  });
});
