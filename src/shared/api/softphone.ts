/**
 * Softphone contracts: what a signed-in agent's console needs to register its extension
 * with the SIP server (short-lived credentials, WebSocket servers, ICE policy), and the
 * caller simulator's equivalent on demo sites. The softphone stays PBX-agnostic: these are
 * plain SIP-over-WebSocket settings any standard PBX accepts.
 */
import { z } from 'zod';
import { route } from './route.js';

export const IceServerSchema = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

export const dtmfModes = ['rfc4733', 'info'] as const;

/**
 * Who records calls bridged to a trunk (plain SIP/RTP citizens): the agent's softphone
 * ('agent', the default) or the media bridge on the server ('server', rtpengine). Calls
 * between browsers are always recorded by the agent's softphone. A site sets it with
 * HOTLINE_RECORDING.
 */
export const recordingModes = ['agent', 'server'] as const;
export type RecordingMode = (typeof recordingModes)[number];

/**
 * SIP header our Kamailio puts on a bridged call's INVITE to the agent (trunk → agent) and on
 * the answer to the agent's INVITE (agent → trunk); it strips any copy a client sent.
 */
export const BRIDGED_CALL_HEADER = 'X-Hotline-Media';

export const SipProfileSchema = z
  .object({
    /** SIP over WebSocket servers, tried in order (ws:// on loopback, wss:// on sites). */
    wsServers: z.array(z.string().regex(/^wss?:\/\//)).min(1),
    /** SIP domain of the AOR: sip:<extension>@<domain>. */
    domain: z.string(),
    extension: z.string(),
    /** Digest username and password; with our Kamailio these expire (auth_ephemeral). */
    authorizationUsername: z.string(),
    password: z.string(),
    displayName: z.string(),
    /** When the credentials stop working; the console fetches new ones well before. */
    expiresAt: z.iso.datetime().nullable(),
    /** Empty on a LAN: no public STUN by default. */
    iceServers: z.array(IceServerSchema),
    /** Bound on ICE gathering so call set-up stays fast on multi-homed machines. */
    iceGatheringTimeoutMs: z.number().int().min(50).max(10_000),
    dtmfMode: z.enum(dtmfModes),
    registerExpiresSeconds: z.number().int().min(60).max(3600),
    /** Where the hotline's queues are dialled (e.g. 12345); used by the caller simulator. */
    hotlineNumber: z.string(),
    /** 'server': calls bridged to a trunk are recorded by the server; the softphone must not record them too. */
    trunkRecording: z.enum(recordingModes),
  })
  .meta({ id: 'SipProfile' });
export type SipProfile = z.infer<typeof SipProfileSchema>;

export const SimulatorProfileRequestSchema = z.object({
  /** The citizen number the simulated phone presents (mobile or landline). */
  number: z.string().regex(/^(1[3-9]\d{9}|0\d{9,11})$/, '请输入 11 位手机号或带区号的固话号码'),
});

export const softphoneRoutes = {
  sipProfile: route({
    method: 'GET', path: '/api/softphone/profile', summary: "The agent's SIP registration profile (short-lived credentials)",
    tags: ['softphone'], access: 'console:use', status: 200, response: SipProfileSchema,
  }),
  simulatorProfile: route({
    method: 'POST', path: '/api/sim/profile', summary: 'Demo/dev only: SIP profile for the caller simulator',
    tags: ['simulator'], access: 'public', body: SimulatorProfileRequestSchema, status: 200, response: SipProfileSchema,
  }),
} as const;
