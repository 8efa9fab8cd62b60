/**
 * Trunks and the media bridge at the SIP level: our rtpengine runs beside our Kamailio
 * (started by startServices, answering on its ng port), the rendered config bridges trunk
 * calls through it, and a call from a source that is not a configured trunk and has no
 * valid credentials is refused without reaching anyone or opening a media session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtpengineNgClient, bdecode, bencode } from '../../src/server/telephony/rtpengine/ng-client.js';
import { TrunksSchema, renderTrunkRoutes } from '../../src/server/telephony/trunks.js';
import { findExecutable } from '../../src/server/telephony/kamailio/kamailio-server.js';
import { SipUdpUa } from '../harness/sip-udp-ua.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';

describe('bencode for the ng protocol', () => {
  it('round-trips dictionaries, lists, strings and integers', () => {
    const v = { command: 'offer', flags: ['trust-address'], 'call-id': 'a b', n: 3, sdp: 'v=0\r\n' };
    expect(bdecode(bencode(v))).toEqual(v);
    expect(bencode({ b: 1, a: 'x' }).toString()).toBe('d1:a1:x1:bi1ee');
  });
});

describe('trunks configuration', () => {
  it('renders source checks and the outbound target; refuses bad trunks', () => {
    const trunks = TrunksSchema.parse([
      { name: 'pstn', address: '10.0.0.5:5060', sources: ['10.0.0.5', '10.0.0.6:5070'], outbound: true },
      { name: 'province', address: '10.1.0.9', transport: 'tcp' },
    ]);
    const routes = renderTrunkRoutes(trunks, '12345');
    expect(routes).toContain('$si == "10.0.0.6" && $sp == 5070');
    expect(routes).toContain('$si == "10.1.0.9" && ($proto');
    expect(routes).toContain('$du = "sip:10.0.0.5:5060;transport=udp"');
    expect(routes).toContain('$avp(trunk_cid) = "12345"');
    expect(routes).toContain('codec-strip=all codec-offer=PCMA codec-offer=PCMU');
    expect(() => TrunksSchema.parse([{ name: 'x', address: '10.0.0.1";exit;"' }])).toThrow();
    expect(() => TrunksSchema.parse([{ name: 'a', address: '10.0.0.1', outbound: true }, { name: 'b', address: '10.0.0.2', outbound: true }])).toThrow();
  });
});

const haveRtpengine = Boolean(findExecutable('rtpengine'));
if (!haveRtpengine) console.warn('rtpengine is not installed (apt-get install rtpengine-daemon): media-bridge tests are skipped');

describe.skipIf(!haveRtpengine)('rtpengine beside Kamailio', () => {
  let t: TelephonyTestApp;

  beforeAll(async () => {
    // A trunk on an address no test UA uses: every UA here is an unknown source.
    t = await createTelephonyTestApp({ trunks: JSON.stringify([{ name: 'pstn', address: '127.0.0.1:5999', sources: ['127.0.0.1:5999'], outbound: true }]) });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('runs our rtpengine as a supervised child answering on its ng port, with no sessions', async () => {
    expect(t.rtpengine).not.toBeNull();
    expect(t.rtpengine!.process.state).toBe('running');
    const ng = new RtpengineNgClient('127.0.0.1', t.sip.rtpengineNgPort);
    try {
      expect(await ng.ping()).toBe(true);
      expect(await ng.calls()).toEqual([]);
    } finally {
      ng.close();
    }
  });

  it('refuses a call from a source that is not a trunk and has no valid credentials', async () => {
    const stranger = await new SipUdpUa('13900000000', { host: '127.0.0.1', port: t.sip.port, domain: '127.0.0.1' }, { username: '0:13900000000', password: 'guess' }).open();
    try {
      const call = await stranger.call('13800138000');
      // Challenged again (407) or refused (403): never put through.
      expect([403, 407]).toContain((await call.finalStatus()).status);
      expect(await t.rtpengine!.ng.calls()).toEqual([]);
    } finally {
      stranger.close();
    }
  });

  it('restarts rtpengine after a crash', async () => {
    const proc = t.rtpengine!.process;
    const before = proc.pid;
    proc.kill();
    await expect.poll(() => proc.state === 'running' && proc.pid !== before, { timeout: 10_000 }).toBe(true);
    expect(await t.rtpengine!.ng.ping()).toBe(true);
  });
});
