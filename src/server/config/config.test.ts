import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ivrEnabled, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, dataDir: './data', demo: true, accessTokenTtl: 900 });
    expect(c.databaseUrl).toBeUndefined();
  });

  it('HOTLINE_RECORDING: agent by default; server only with our managed SIP server and rtpengine', () => {
    expect(loadConfig({}).recording).toBe('agent');
    expect(loadConfig({ HOTLINE_RECORDING: 'server' }).recording).toBe('server');
    expect(() => loadConfig({ HOTLINE_RECORDING: 'both' })).toThrow(/HOTLINE_RECORDING/);
    expect(() => loadConfig({ HOTLINE_RECORDING: 'server', HOTLINE_RTPENGINE: 'external', HOTLINE_RTPENGINE_NG: 'udp:10.0.0.7:2223' })).toThrow(/HOTLINE_RECORDING: server needs/);
    expect(() => loadConfig({ HOTLINE_RECORDING: 'server', HOTLINE_SIP_MODE: 'external', HOTLINE_SIP_WS_URL: 'wss://pbx.example:7443' })).toThrow(/HOTLINE_RECORDING: server needs/);
  });

  it('HOTLINE_IVR: on by default with our managed rtpengine, off with an external one or none', () => {
    expect(ivrEnabled(loadConfig({}))).toBe(true);
    expect(ivrEnabled(loadConfig({ HOTLINE_IVR: 'off' }))).toBe(false);
    expect(ivrEnabled(loadConfig({ HOTLINE_RTPENGINE: 'external', HOTLINE_RTPENGINE_NG: 'udp:10.0.0.7:2223' }))).toBe(false);
    expect(ivrEnabled(loadConfig({ HOTLINE_RTPENGINE: 'external', HOTLINE_RTPENGINE_NG: 'udp:10.0.0.7:2223', HOTLINE_IVR: 'on' }))).toBe(true);
    expect(ivrEnabled(loadConfig({ HOTLINE_RTPENGINE: 'off', HOTLINE_IVR: 'on' }))).toBe(false);
    expect(() => loadConfig({ HOTLINE_IVR: 'yes' })).toThrow(/HOTLINE_IVR/);
  });

  it('names the bad key as its environment variable', () => {
    expect(() => loadConfig({ HOTLINE_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOTLINE_PORT: 'eighty' })).toThrow(/HOTLINE_PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must start with postgres/);
  });

  it('reads the softphone ICE settings: no STUN by default, a bounded gathering time', () => {
    expect(loadConfig({})).toMatchObject({ iceServers: [], iceGatheringTimeoutMs: 500 });
    const c = loadConfig({ HOTLINE_ICE_GATHERING_TIMEOUT_MS: '250', HOTLINE_ICE_SERVERS: '[{"urls":"turn:10.0.0.9:3478","username":"u","credential":"p"}]' });
    expect(c.iceGatheringTimeoutMs).toBe(250);
    expect(c.iceServers).toEqual([{ urls: 'turn:10.0.0.9:3478', username: 'u', credential: 'p' }]);
    // Unbounded or absurd waits are refused, naming the variable.
    expect(() => loadConfig({ HOTLINE_ICE_GATHERING_TIMEOUT_MS: '60000' })).toThrow(/HOTLINE_ICE_GATHERING_TIMEOUT_MS/);
    expect(() => loadConfig({ HOTLINE_ICE_GATHERING_TIMEOUT_MS: '0' })).toThrow(/HOTLINE_ICE_GATHERING_TIMEOUT_MS/);
    expect(() => loadConfig({ HOTLINE_ICE_SERVERS: 'stun:x' })).toThrow(/HOTLINE_ICE_SERVERS/);
  });

  it('never echoes secrets in errors', () => {
    try {
      loadConfig({ HOTLINE_JWT_SECRET: 'short-secret' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/HOTLINE_JWT_SECRET/);
      expect((err as Error).message).not.toMatch(/short-secret/);
    }
  });

  it('reads a config file under the environment and rejects unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'hotline.json');
    writeFileSync(file, JSON.stringify({ port: 9000, siteName: '某市12345', demo: false }));
    expect(loadConfig({ HOTLINE_CONFIG_FILE: file, HOTLINE_PORT: '9100' })).toMatchObject({ port: 9100, siteName: '某市12345', demo: false });
    writeFileSync(file, JSON.stringify({ prot: 9000 }));
    expect(() => loadConfig({ HOTLINE_CONFIG_FILE: file })).toThrow(/unknown key\(s\) prot/);
  });
});
