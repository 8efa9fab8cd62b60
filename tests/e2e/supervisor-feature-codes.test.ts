/**
 * Feature-code monitoring for real (HOTLINE_MONITOR_MODE=feature-codes, codes *33{ext} listen,
 * *35{ext} barge): the supervisor's phone in Chromium dials the rendered code through our
 * Kamailio, and a mode switch hangs up and dials the other code within the same session.
 *
 * Our Kamailio has no spy feature and routes a number that is neither a queue nor an external
 * number (9-20 digits) by location lookup, so the PBX's spy service is stood in for by UDP test
 * UAs registered under the codes themselves (`*332101`, `*352101`: `*` is legal in a SIP user
 * part, and the ephemeral credentials are minted for exactly that name). They answer with a
 * WebRTC-shaped SDP so the supervisor's call is established (no media flows; the test is
 * about what is dialled and when, the audio is the PBX's business).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralCredentials } from '../../src/server/telephony/sip-credentials.js';
import { openSupervisor, type Party } from '../harness/parties.js';
import { hdr, SipUdpUa, type SipMessage } from '../harness/sip-udp-ua.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';
import { TONES } from '../harness/tones.js';

/** An answer Chromium accepts for its offer (ICE and DTLS parameters that will never connect). */
function webrtcAnswer(invite: SipMessage): string {
  const mid = /a=mid:(\S+)/.exec(invite.body)?.[1] ?? '0';
  const fingerprint = [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
  return [
    'v=0', `o=- ${Date.now()} 1 IN IP4 127.0.0.1`, 's=-', 't=0 0', `a=group:BUNDLE ${mid}`,
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 127.0.0.1', `a=mid:${mid}`, 'a=rtpmap:111 opus/48000/2',
    'a=ice-ufrag:pbxspy', 'a=ice-pwd:pbxspypbxspypbxspypbxspy', `a=fingerprint:sha-256 ${fingerprint}`, 'a=setup:active',
    'a=rtcp-mux', 'a=sendrecv', '',
  ].join('\r\n');
}

describe('supervisor monitoring with PBX feature codes over Kamailio', () => {
  let t: TelephonyTestApp;
  let sup: Party;
  const spies: Record<'listen' | 'barge', SipUdpUa> = {} as never;

  beforeAll(async () => {
    t = await createTelephonyTestApp({ demo: true, monitorMethod: 'feature-codes', monitorListenCode: '*33{ext}', monitorWhisperCode: '*34{ext}', monitorBargeCode: '*35{ext}' });
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const supRes = await t.as(admin)('POST', '/api/users', { username: 'sup_fc', displayName: '王班长', password: 'Super-pass-1', roles: ['supervisor'], extension: '1950' });
    const group = await t.as(admin)('POST', '/api/groups', { name: '特征码组', supervisorIds: [supRes.json().id] });
    await t.as(admin)('POST', '/api/users', { username: 'agent_fc', displayName: '赵坐席', password: 'Agent-pass-1', roles: ['agent'], extension: '2101', groupIds: [group.json().id] });
    // The agent's call as its softphone reports it (the PBX, not our softphone, does the spying).
    const agent = await t.login('agent_fc', 'Agent-pass-1');
    const live = await t.as(agent.accessToken)('PUT', '/api/agent/live-call', { sipCallId: 'fc-e2e@test', direction: 'inbound', remoteNumber: '13800138000', answeredAt: new Date().toISOString() });
    expect(live.statusCode).toBe(204);
    const secret = (await t.db.selectFrom('server_secret').select('value').where('name', '=', 'sip').executeTakeFirstOrThrow()).value;
    for (const [mode, user] of [['listen', '*332101'], ['barge', '*352101']] as const) {
      // On 127.0.0.2: Kamailio takes any 127.0.0.1:<port> (the test domain) for itself and would not route the ACK and BYE here.
      const ua = await new SipUdpUa(user, { host: '127.0.0.1', port: t.sip.port, domain: '127.0.0.1' }, ephemeralCredentials(secret, user, Math.floor(Date.now() / 1000) + 600), '127.0.0.2').open();
      ua.policy = { kind: 'answer', sdp: webrtcAnswer };
      expect(await ua.register(), `register ${user}`).toBe(200);
      spies[mode] = ua;
    }
    sup = await openSupervisor(baseUrl(t.app), TONES.supervisor, 'sup_fc', 'Super-pass-1');
  }, 120_000);

  afterAll(async () => {
    await sup?.close();
    for (const ua of Object.values(spies)) ua.close();
    await t?.close();
  });

  const audit = async (action: string) => t.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
  const userOf = (v: string | undefined) => /sip:([^@;>]+)@/.exec(v ?? '')?.[1];

  it('监听 dials *33<ext> from the supervisor’s extension; 强插 hangs up and dials *35<ext>; leaving hangs up; all audited', async () => {
    await sup.page.getByTestId('floor-call-agent_fc').waitFor({ timeout: 10_000 });
    await sup.page.getByTestId('action-listen-agent_fc').click();
    const listen = await spies.listen.nextIncoming(15_000);
    expect(userOf(hdr(listen.invite, 'to'))).toBe('*332101');
    expect(userOf(hdr(listen.invite, 'from'))).toBe('1950');
    expect(hdr(listen.invite, 'x-hotline-monitor')).toBeUndefined(); // no grant: the PBX does the spying
    await sup.page.locator('[data-testid="monitor-status"][data-status="active"]').waitFor({ timeout: 10_000 });
    await sup.page.locator('[data-testid="floor-monitor-agent_fc"][data-mode="listen"]').waitFor({ timeout: 5000 });

    await sup.page.getByTestId('monitor-mode-barge').click();
    await spies.listen.seen((m) => m.method === 'BYE' && hdr(m, 'call-id') === listen.callId, 10_000, 'BYE of the listen call');
    const barge = await spies.barge.nextIncoming(10_000);
    expect(userOf(hdr(barge.invite, 'to'))).toBe('*352101');
    expect(userOf(hdr(barge.invite, 'from'))).toBe('1950');
    await sup.page.locator('[data-testid="monitor-status"][data-status="active"]').waitFor({ timeout: 10_000 });
    await sup.page.locator('[data-testid="floor-monitor-agent_fc"][data-mode="barge"]').waitFor({ timeout: 5000 });

    await sup.page.getByTestId('monitor-leave').click();
    await spies.barge.seen((m) => m.method === 'BYE' && hdr(m, 'call-id') === barge.callId, 10_000, 'BYE of the barge call');
    await sup.page.locator('[data-testid="monitor-status"][data-status="ended"]').waitFor({ timeout: 5000 });

    const starts = await audit('monitor.start');
    expect(starts.map((r) => r.detail)).toEqual([expect.objectContaining({ via: 'feature-code', dial: '*332101', mode: 'listen', callId: 'fc-e2e@test' })]);
    const sessionId = starts[0]!.detail.sessionId;
    expect((await audit('monitor.mode')).map((r) => r.detail)).toEqual([expect.objectContaining({ sessionId, from: 'listen', to: 'barge', dial: '*352101' })]);
    // One session, one end: hanging up to switch codes is not the end of monitoring.
    await expect.poll(async () => (await audit('monitor.end')).map((r) => [r.detail.sessionId, r.detail.reason]), { timeout: 5000 }).toEqual([[sessionId, 'supervisor_left']]);
  });
});
