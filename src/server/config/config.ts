/**
 * Server configuration: read from the environment (HOTLINE_* and DATABASE_URL) over an
 * optional JSON file (HOTLINE_CONFIG_FILE), validated once at start. A bad value stops
 * the server with a message naming the key, never a half-configured process.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { recordingModes } from '../../shared/api/softphone.js';
import { FeatureCodesSchema, FeatureCodeTemplateSchema, monitorMethods, type FeatureCodes } from '../../shared/monitor-feature-codes.js';
import { TrunksSchema } from '../telephony/trunks.js';

const bool = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no'])]).transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');
const seconds = (def: number) => z.coerce.number().int().positive().default(def);

export const ConfigSchema = z.object({
  host: z.string().min(1).default('0.0.0.0'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Public URL seats use, printed at start; derived from host/port when absent. */
  publicUrl: z.url().optional(),
  siteName: z.string().min(1).default('12345 政务服务便民热线'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** PostgreSQL connection string; when absent the embedded PGlite in dataDir is used. */
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional(),
  dataDir: z.string().min(1).default('./data'),
  /** PGlite only: keep the database in memory (tests). */
  inMemoryDatabase: bool.default(false),
  /** HS256 key for access tokens, ≥ 32 chars. Generated into dataDir when absent. */
  jwtSecret: z.string().min(32, 'must be at least 32 characters').optional(),
  accessTokenTtl: seconds(15 * 60),
  refreshTokenTtl: seconds(12 * 60 * 60),
  /** A session ends after this however often it is refreshed (one long shift). */
  sessionMaxAge: seconds(24 * 60 * 60),
  loginMaxFailures: z.coerce.number().int().min(1).default(5),
  loginLockout: seconds(15 * 60),
  /** Sign-in attempts per client IP per minute, before 429. */
  loginRatePerIp: z.coerce.number().int().min(1).default(30),
  /** First admin's password; generated and printed once when absent. */
  adminPassword: z.string().min(8).optional(),
  /** Seed demo accounts and reference data on a fresh database. Turn off for production sites. */
  demo: bool.default(true),
  /** Where call recordings are stored; a share mounted on every node when several run. Default: dataDir/recordings. */
  recordingsDir: z.string().optional(),
  /** Where ticket attachments (附件) are stored; shared by all nodes like recordingsDir. Default: dataDir/attachments. */
  attachmentsDir: z.string().optional(),
  /** Largest attachment accepted, in bytes (default 20 MB). */
  attachmentMaxBytes: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(20 * 1024 * 1024),
  /** Directory of the built web console; served at '/'. */
  webRoot: z.string().optional(),
  trustProxy: bool.default(false),
  /**
   * Key for citizens' phone and ID numbers on tickets (AES-256-GCM) and their lookup hash:
   * 32 bytes as 64 hex digits or base64. Generated into the database when absent (demo only).
   */
  dataKey: z.string().regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, 'must be 32 bytes as 64 hex digits or base64').optional(),

  /**
   * SIP server: 'managed' runs our Kamailio as a supervised child when it is installed,
   * 'external' uses a site's SIP server (sipWsUrl, sipSecret), 'off' disables the softphone.
   */
  sipMode: z.enum(['managed', 'external', 'off']).default('managed'),
  /** SIP domain of agents' AORs; defaults to sipAddr. */
  sipDomain: z.string().regex(/^[A-Za-z0-9.-]+$/).optional(),
  /** Address Kamailio listens on for SIP (UDP/TCP) and WebSocket; a LAN address on sites. */
  sipAddr: z.string().regex(/^[0-9.]+$/, 'must be an IPv4 address').default('127.0.0.1'),
  sipPort: z.coerce.number().int().min(1).max(65535).default(5060),
  sipWsPort: z.coerce.number().int().min(1).max(65535).default(5066),
  sipRpcPort: z.coerce.number().int().min(1).max(65535).default(5067),
  /** Loopback port of Kamailio's evapi listener, where the ACD exchanges call facts and routing decisions. */
  sipEvapiPort: z.coerce.number().int().min(1).max(65535).default(5068),
  /** WebSocket URL(s) the softphones use, comma-separated; derived from sipAddr/sipWsPort when absent. */
  sipWsUrl: z.string().regex(/^wss?:\/\/[^,]+(,wss?:\/\/[^,]+)*$/, 'must be ws:// or wss:// URLs, comma-separated').optional(),
  /** WSS certificate and key for managed Kamailio on sites. */
  sipTlsPort: z.coerce.number().int().min(1).max(65535).optional(),
  sipTlsCert: z.string().optional(),
  sipTlsKey: z.string().optional(),
  /** auth_ephemeral shared secret; generated and kept in the database when absent (managed). */
  sipSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Lifetime of the SIP credentials given to a signed-in agent. */
  sipCredentialTtl: seconds(600),
  kamailioBinary: z.string().default('kamailio'),
  kamailioModulesDir: z.string().optional(),
  /**
   * Media bridge between trunks and WebRTC agents: 'managed' runs Debian's rtpengine as our
   * supervised child (userspace, with managed Kamailio) when installed, 'external' uses the
   * site's rtpengine at rtpengineNg, 'off' bridges nothing (trunk calls then have no audio).
   */
  rtpengine: z.enum(['managed', 'external', 'off']).default('managed'),
  /** External rtpengine's ng control address, udp:IPv4:port. */
  rtpengineNg: z.string().regex(/^udp:[0-9.]+:[0-9]{1,5}$/, 'must be udp:IPv4:port').optional(),
  rtpengineBinary: z.string().default('rtpengine'),
  /** Loopback ng port of our managed rtpengine. */
  rtpengineNgPort: z.coerce.number().int().min(1).max(65535).default(2223),
  /** Address media is bridged on (reached by trunks and agents); default sipAddr. */
  rtpengineInterface: z.string().regex(/^[0-9.]+$/, 'must be an IPv4 address').optional(),
  /** UDP port range for bridged media (4 ports per call). */
  rtpenginePortMin: z.coerce.number().int().min(1024).max(65535).default(30000),
  rtpenginePortMax: z.coerce.number().int().min(1024).max(65535).default(30999),
  /** Loopback UDP port where our managed rtpengine reports callers' keys (DTMF) to the voice service. */
  rtpengineDtmfPort: z.coerce.number().int().min(1).max(65535).default(2224),
  /**
   * The automatic voice service for trunk callers (announcements, DTMF menu, music on hold,
   * working hours): 'on' with a media bridge, 'off' lets trunk callers hear ringback only.
   * Unset: on with our managed rtpengine (which we start with the DTMF log the menu needs),
   * off with an external one (it must be started with --dtmf-log-dest first); see ivrEnabled().
   */
  ivr: z.enum(['on', 'off']).optional(),
  /** Its configuration (JSON, src/shared/ivr.ts); default the shipped resources/ivr/ivr.json. */
  ivrFile: z.string().optional(),
  /**
   * Trunks as JSON: [{"name":"pstn","address":"10.0.0.5:5060","transport":"udp","sources":["10.0.0.5"],
   * "codecs":["PCMA","PCMU"],"outbound":true,"callerId":"12345"}]; calls from any other source need credentials.
   */
  trunks: z
    .union([z.string(), z.array(z.unknown())])
    .default('[]')
    .transform((v, ctx) => {
      try {
        const parsed = TrunksSchema.safeParse(typeof v === 'string' ? (JSON.parse(v) as unknown) : v);
        if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        return parsed.data;
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /**
   * Who records trunk calls: 'agent' (the softphone, as every call) or 'server' (our managed
   * rtpengine's recording, decoded into the same recording storage; needs HOTLINE_RTPENGINE=managed).
   */
  recording: z.enum(recordingModes).default('agent'),
  /** ICE servers for WebRTC as JSON; empty on a LAN (never a public STUN by default). */
  iceServers: z.string().default('[]').transform((v, ctx) => {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (!Array.isArray(parsed)) throw new Error('not an array');
      return parsed as { urls: string | string[]; username?: string; credential?: string }[];
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `must be a JSON array of RTCIceServer (${(err as Error).message})` });
      return z.NEVER;
    }
  }),
  iceGatheringTimeoutMs: z.coerce.number().int().min(50).max(10_000).default(500),
  dtmfMode: z.enum(['rfc4733', 'info']).default('rfc4733'),
  /** Screen pop: a number is tagged 重复来电 after this many calls within repeatCallerDays. */
  repeatCallerCalls: z.coerce.number().int().min(2).max(1000).default(3),
  repeatCallerDays: z.coerce.number().int().min(1).max(365).default(7),
  /** Screen pop first: an offered agent's phone rings once the console has painted the offer, waiting at most this long. 0: at once. */
  screenPopLeadMs: z.coerce.number().int().min(0).max(5000).default(100),
  /** 号码归属地 table (JSON, format of src/server/modules/callers/number-attribution.sample.json); default: the shipped sample. */
  numberAttributionFile: z.string().min(1).optional(),
  /** 整理: seconds of after-call work before the agent is made ready again. */
  wrapUpSeconds: z.coerce.number().int().min(0).max(3600).default(30),
  /** 示忙 reasons as JSON [{code,label}]. */
  notReadyReasons: z.string().transform((v, ctx) => {
    try {
      const parsed = JSON.parse(v) as unknown;
      const ok = Array.isArray(parsed) && parsed.every((r) => typeof r?.code === 'string' && typeof r?.label === 'string');
      if (!ok) throw new Error('expected [{"code":"…","label":"…"}]');
      return parsed as { code: string; label: string }[];
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }).default([{ code: 'meeting', label: '会议' }, { code: 'training', label: '培训' }, { code: 'meal', label: '用餐' }, { code: 'other', label: '其他' }]),
  /**
   * 小休 reasons as JSON [{code,label,maxSeconds?}]. Past maxSeconds the agent's console warns
   * and the group's supervisors are told (agent:break-overrun); no maxSeconds, no limit.
   */
  breakReasons: z.string().transform((v, ctx) => {
    const shape = z.array(z.object({ code: z.string(), label: z.string(), maxSeconds: z.number().int().positive().optional() }).strict());
    try {
      const parsed = shape.safeParse(JSON.parse(v) as unknown);
      if (!parsed.success) throw new Error('expected [{"code":"…","label":"…","maxSeconds":900}] (maxSeconds optional)');
      return parsed.data;
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }).default([{ code: 'rest', label: '休息', maxSeconds: 15 * 60 }, { code: 'restroom', label: '如厕', maxSeconds: 10 * 60 }]),
  /**
   * Seconds an agent's console may be gone (every socket closed: crash, network, page closed)
   * before a 示闲 agent is made 示忙 · 掉线, so no call rings into a dead seat. A reconnect
   * within this time changes nothing. Decimals allowed (tests).
   */
  disconnectGraceSeconds: z.coerce.number().min(0).max(3600).default(30),
  /** Show the agent "班长监听中" during silent listening too (whisper and barge always show it). */
  monitorListenIndicator: bool.default(false),
  /**
   * How supervisors step into calls: 'grant' (our own leg to the agent's softphone, any SIP
   * server) or 'feature-codes' (the site's PBX spy feature: the supervisor's phone dials the
   * codes below, with {ext} replaced by the agent's extension). See docs/supervisor.md.
   */
  monitorMethod: z.enum(monitorMethods).default('grant'),
  monitorListenCode: FeatureCodeTemplateSchema.optional(),
  monitorWhisperCode: FeatureCodeTemplateSchema.optional(),
  monitorBargeCode: FeatureCodeTemplateSchema.optional(),
  /** The hotline's public number, dialled by citizens (and the caller simulator). */
  hotlineNumber: z.string().regex(/^[0-9]{3,20}$/).default('12345'),

  // Provincial 12345 gateway (src/server/modules/province). Off without provinceUrl.
  /** Base URL of the province's interface; the gateway (outbox dispatch, pull, reconciliation) runs only when set. */
  provinceUrl: z.url().optional(),
  /** App key and secret the province issued to this city (the secret signs both directions; never logged). */
  provinceAppKey: z.string().min(1).default('city'),
  provinceAppSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  /** HMAC-SHA256, or SM3-HMAC (国密) optionally with SM4-encrypted bodies (provinceSm4Key). */
  provinceSignMethod: z.enum(['HMAC-SHA256', 'SM3-HMAC']).default('HMAC-SHA256'),
  provinceSm4Key: z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex digits').optional(),
  /** Which tickets the province hears about: every ticket, or only province-origin and transferred-up ones. */
  provinceReportScope: z.enum(['all', 'province']).default('all'),
  provinceBatchSize: z.coerce.number().int().min(1).max(1000).default(200),
  provinceBatchIntervalMs: z.coerce.number().int().min(10).max(600_000).default(500),
  provinceConcurrency: z.coerce.number().int().min(1).max(16).default(2),
  provinceTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(10_000),
  provinceLeaseSeconds: z.coerce.number().min(1).max(3600).default(60),
  /** How the province's dispatches reach us: push (our signed endpoint), pull (we poll its feed), both, or off. */
  provinceInbound: z.enum(['push', 'pull', 'both', 'off']).default('push'),
  provincePullIntervalMs: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  /** China time of the daily reconciliation of yesterday (HH:MM); empty turns it off. */
  provinceReconcileAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^$/, 'must be HH:MM').default('02:30'),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Whether the voice service answers trunk callers: HOTLINE_IVR, by default on where we run rtpengine ourselves. */
export function ivrEnabled(c: Pick<Config, 'ivr' | 'rtpengine'>): boolean {
  if (c.rtpengine === 'off') return false;
  return c.ivr === undefined ? c.rtpengine === 'managed' : c.ivr === 'on';
}

/** Environment variable for each key (DATABASE_URL keeps its conventional name). */
export const envNames: Record<keyof Config, string> = {
  host: 'HOTLINE_HOST',
  port: 'HOTLINE_PORT',
  publicUrl: 'HOTLINE_PUBLIC_URL',
  siteName: 'HOTLINE_SITE_NAME',
  logLevel: 'HOTLINE_LOG_LEVEL',
  databaseUrl: 'DATABASE_URL',
  dataDir: 'HOTLINE_DATA_DIR',
  inMemoryDatabase: 'HOTLINE_IN_MEMORY_DB',
  jwtSecret: 'HOTLINE_JWT_SECRET',
  accessTokenTtl: 'HOTLINE_ACCESS_TOKEN_TTL',
  refreshTokenTtl: 'HOTLINE_REFRESH_TOKEN_TTL',
  sessionMaxAge: 'HOTLINE_SESSION_MAX_AGE',
  loginMaxFailures: 'HOTLINE_LOGIN_MAX_FAILURES',
  loginLockout: 'HOTLINE_LOGIN_LOCKOUT',
  loginRatePerIp: 'HOTLINE_LOGIN_RATE_PER_IP',
  adminPassword: 'HOTLINE_ADMIN_PASSWORD',
  demo: 'HOTLINE_DEMO',
  webRoot: 'HOTLINE_WEB_ROOT',
  recordingsDir: 'HOTLINE_RECORDINGS_DIR',
  attachmentsDir: 'HOTLINE_ATTACHMENTS_DIR',
  attachmentMaxBytes: 'HOTLINE_ATTACHMENT_MAX_BYTES',
  trustProxy: 'HOTLINE_TRUST_PROXY',
  dataKey: 'HOTLINE_DATA_KEY',
  sipMode: 'HOTLINE_SIP_MODE',
  sipDomain: 'HOTLINE_SIP_DOMAIN',
  sipAddr: 'HOTLINE_SIP_ADDR',
  sipPort: 'HOTLINE_SIP_PORT',
  sipWsPort: 'HOTLINE_SIP_WS_PORT',
  sipRpcPort: 'HOTLINE_SIP_RPC_PORT',
  sipEvapiPort: 'HOTLINE_SIP_EVAPI_PORT',
  sipWsUrl: 'HOTLINE_SIP_WS_URL',
  sipTlsPort: 'HOTLINE_SIP_TLS_PORT',
  sipTlsCert: 'HOTLINE_SIP_TLS_CERT',
  sipTlsKey: 'HOTLINE_SIP_TLS_KEY',
  sipSecret: 'HOTLINE_SIP_SECRET',
  sipCredentialTtl: 'HOTLINE_SIP_CREDENTIAL_TTL',
  kamailioBinary: 'HOTLINE_KAMAILIO_BINARY',
  kamailioModulesDir: 'HOTLINE_KAMAILIO_MODULES_DIR',
  rtpengine: 'HOTLINE_RTPENGINE',
  rtpengineNg: 'HOTLINE_RTPENGINE_NG',
  rtpengineBinary: 'HOTLINE_RTPENGINE_BINARY',
  rtpengineNgPort: 'HOTLINE_RTPENGINE_NG_PORT',
  rtpengineInterface: 'HOTLINE_RTPENGINE_INTERFACE',
  rtpenginePortMin: 'HOTLINE_RTPENGINE_PORT_MIN',
  rtpenginePortMax: 'HOTLINE_RTPENGINE_PORT_MAX',
  rtpengineDtmfPort: 'HOTLINE_RTPENGINE_DTMF_PORT',
  ivr: 'HOTLINE_IVR',
  ivrFile: 'HOTLINE_IVR_FILE',
  trunks: 'HOTLINE_TRUNKS',
  recording: 'HOTLINE_RECORDING',
  iceServers: 'HOTLINE_ICE_SERVERS',
  iceGatheringTimeoutMs: 'HOTLINE_ICE_GATHERING_TIMEOUT_MS',
  dtmfMode: 'HOTLINE_DTMF_MODE',
  hotlineNumber: 'HOTLINE_NUMBER',
  wrapUpSeconds: 'HOTLINE_WRAP_UP_SECONDS',
  repeatCallerCalls: 'HOTLINE_REPEAT_CALLER_CALLS',
  repeatCallerDays: 'HOTLINE_REPEAT_CALLER_DAYS',
  screenPopLeadMs: 'HOTLINE_SCREEN_POP_LEAD_MS',
  numberAttributionFile: 'HOTLINE_NUMBER_ATTRIBUTION_FILE',
  notReadyReasons: 'HOTLINE_NOT_READY_REASONS',
  breakReasons: 'HOTLINE_BREAK_REASONS',
  disconnectGraceSeconds: 'HOTLINE_DISCONNECT_GRACE_SECONDS',
  monitorListenIndicator: 'HOTLINE_MONITOR_LISTEN_INDICATOR',
  monitorMethod: 'HOTLINE_MONITOR_MODE',
  monitorListenCode: 'HOTLINE_MONITOR_LISTEN_CODE',
  monitorWhisperCode: 'HOTLINE_MONITOR_WHISPER_CODE',
  monitorBargeCode: 'HOTLINE_MONITOR_BARGE_CODE',
  provinceUrl: 'HOTLINE_PROVINCE_URL',
  provinceAppKey: 'HOTLINE_PROVINCE_APP_KEY',
  provinceAppSecret: 'HOTLINE_PROVINCE_APP_SECRET',
  provinceSignMethod: 'HOTLINE_PROVINCE_SIGN_METHOD',
  provinceSm4Key: 'HOTLINE_PROVINCE_SM4_KEY',
  provinceReportScope: 'HOTLINE_PROVINCE_REPORT_SCOPE',
  provinceBatchSize: 'HOTLINE_PROVINCE_BATCH_SIZE',
  provinceBatchIntervalMs: 'HOTLINE_PROVINCE_BATCH_INTERVAL_MS',
  provinceConcurrency: 'HOTLINE_PROVINCE_CONCURRENCY',
  provinceTimeoutMs: 'HOTLINE_PROVINCE_TIMEOUT_MS',
  provinceLeaseSeconds: 'HOTLINE_PROVINCE_LEASE_SECONDS',
  provinceInbound: 'HOTLINE_PROVINCE_INBOUND',
  provincePullIntervalMs: 'HOTLINE_PROVINCE_PULL_INTERVAL_MS',
  provinceReconcileAt: 'HOTLINE_PROVINCE_RECONCILE_AT',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Merge file < environment < overrides and validate. Throws ConfigError naming the key
 * (as the environment variable, which is how operators set it).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<keyof Config, unknown>> = {}): Config {
  let fromFile: Record<string, unknown> = {};
  const file = env.HOTLINE_CONFIG_FILE;
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`HOTLINE_CONFIG_FILE: cannot read ${file}: ${(err as Error).message}`);
    }
    const unknownKeys = Object.keys(fromFile).filter((k) => !(k in envNames));
    if (unknownKeys.length) throw new ConfigError(`HOTLINE_CONFIG_FILE: unknown key(s) ${unknownKeys.join(', ')}`);
  }
  const raw: Record<string, unknown> = { ...fromFile };
  for (const [key, name] of Object.entries(envNames)) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  Object.assign(raw, overrides);
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const name = envNames[key as keyof Config] ?? key;
      const got = raw[key];
      const shown = ['jwtSecret', 'adminPassword', 'databaseUrl', 'sipSecret', 'dataKey', 'provinceAppSecret', 'provinceSm4Key'].includes(key) ? '(hidden)' : JSON.stringify(got);
      return `${name}: ${i.message} (got ${shown})`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  // rtpengine writes its recordings to its own disk: only ours (managed) puts them where we decode them.
  if (parsed.data.recording === 'server' && (parsed.data.rtpengine !== 'managed' || parsed.data.sipMode !== 'managed')) {
    throw new ConfigError('Invalid configuration:\n  HOTLINE_RECORDING: server needs our managed SIP server and rtpengine (HOTLINE_SIP_MODE=managed, HOTLINE_RTPENGINE=managed) (got "server")');
  }
  if (parsed.data.monitorMethod === 'feature-codes') monitorFeatureCodes(parsed.data);
  return parsed.data;
}

/** The site's PBX spy codes when HOTLINE_MONITOR_MODE=feature-codes (all three are then required), else null. */
export function monitorFeatureCodes(c: Pick<Config, 'monitorMethod' | 'monitorListenCode' | 'monitorWhisperCode' | 'monitorBargeCode'>): FeatureCodes | null {
  if (c.monitorMethod !== 'feature-codes') return null;
  const missing = (['monitorListenCode', 'monitorWhisperCode', 'monitorBargeCode'] as const).filter((k) => !c[k]).map((k) => envNames[k]);
  if (missing.length) throw new ConfigError(`Invalid configuration:\n  HOTLINE_MONITOR_MODE: feature-codes needs ${missing.join(', ')} (e.g. *33{ext})`);
  return FeatureCodesSchema.parse({ listen: c.monitorListenCode, whisper: c.monitorWhisperCode, barge: c.monitorBargeCode });
}
