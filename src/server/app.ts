/**
 * Builds the backend as a value: Fastify + Socket.IO on one HTTP server, the database
 * opened and migrated, every module registered. It never listens (server.ts does), so
 * tests drive it in-process with app.inject and a fresh database.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { ivrEnabled, monitorFeatureCodes, type Config } from './config/config.js';
import { openDatabase, type Db } from './db/database.js';
import { migrate } from './db/migrate.js';
import { AppError, registerErrorHandling } from './http/errors.js';
import type { Authenticate } from './http/route.js';
import { registerWebConsole } from './http/web-console.js';
import { AuthService } from './modules/accounts/auth-service.js';
import { GroupsService } from './modules/accounts/groups-service.js';
import { loadPrincipal, type Principal } from './modules/accounts/principal.js';
import { registerAccountRoutes } from './modules/accounts/routes.js';
import { seedFirstRun, type SeedResult } from './modules/accounts/seed.js';
import { AccessTokens } from './modules/accounts/tokens.js';
import { UsersService } from './modules/accounts/users-service.js';
import { RecordingStore } from './modules/recordings/recording-store.js';
import { RecordingsService } from './modules/recordings/recordings-service.js';
import { registerRecordingRoutes } from './modules/recordings/routes.js';
import { ServerRecorder } from './modules/recordings/server-recorder.js';
import { registerSoftphoneRoutes } from './modules/softphone/routes.js';
import { AgentStateService } from './modules/agents/agent-state-service.js';
import { registerAgentStateRoutes } from './modules/agents/routes.js';
import { AcdRealtimePushes } from './modules/acd/acd-pushes.js';
import { AcdService } from './modules/acd/acd-service.js';
import { CallbacksService } from './modules/acd/callbacks-service.js';
import { PgDecisionRelay } from './modules/acd/decision-relay.js';
import { QueuesService } from './modules/acd/queues-service.js';
import { registerAcdRoutes } from './modules/acd/routes.js';
import { rooms, type ConsoleLocation, type SessionEndReason } from '../shared/realtime.js';
import { AgentConsoles } from './modules/agents/agent-consoles.js';
import { BreakLimits } from './modules/agents/break-limits.js';
import { SoftphoneService } from './modules/softphone/softphone-service.js';
import { registerSystemRoutes } from './modules/system/routes.js';
import { createTickets } from './modules/tickets/index.js';
import { createCallers } from './modules/callers/index.js';
import { createProvinceGateway, type ProvinceGateway } from './modules/province/index.js';
import { provinceChangeHook, registerTransferUpRoute, ticketsSink } from './modules/province/ticket-link.js';
import { AgentFiguresPushes } from './modules/supervisor/agent-figures.js';
import { EscalationService } from './modules/supervisor/escalation-service.js';
import { FloorService } from './modules/supervisor/floor-service.js';
import { MonitorGrants } from './modules/supervisor/monitor-grants.js';
import { MonitoringService } from './modules/supervisor/monitoring-service.js';
import { registerSupervisorRoutes } from './modules/supervisor/routes.js';
import { defaultModulesDir, findExecutable, KamailioServer } from './telephony/kamailio/kamailio-server.js';
import { KamailioAcdBridge } from './telephony/kamailio/kamailio-acd-bridge.js';
import { RtpengineServer } from './telephony/rtpengine/rtpengine-server.js';
import { RtpengineNgClient } from './telephony/rtpengine/ng-client.js';
import { loadIvrConfig } from './telephony/ivr/ivr-config.js';
import { IvrService } from './telephony/ivr/ivr-service.js';
import { DtmfListener, IVR_SUFFIX, RtpengineIvrMedia } from './telephony/ivr/rtpengine-ivr.js';
import { isOpenAt, type IvrConfig } from '../shared/ivr.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const runFile = promisify(execFile);
import type { FastifyBaseLogger } from 'fastify';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { Realtime } from './realtime/realtime-server.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Origin of the Electron console (src/main serves the renderer on this scheme). */
export const DESKTOP_ORIGIN = 'app://desktop';

/** The repository (or install) root: the nearest folder up with our package.json. */
export function projectRoot(from = here): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'hotline-desk') return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export interface BuiltApp {
  app: FastifyInstance;
  db: Db;
  realtime: Realtime;
  seed: SeedResult;
  /** Tickets (工单) and their reference data. */
  tickets: Awaited<ReturnType<typeof createTickets>>;
  /** The provincial 12345 gateway (outbox dispatcher, inbound, reconciliation). */
  province: ProvinceGateway;
  services: { auth: AuthService; users: UsersService; groups: GroupsService; softphone: SoftphoneService; recordings: RecordingsService; agents: AgentStateService; acd: AcdService; acdPushes: AcdRealtimePushes; queues: QueuesService; callbacks: CallbacksService };
  /** Our managed SIP server, when this site runs one. */
  kamailio: KamailioServer | null;
  /** Our managed rtpengine (media bridge for trunk calls), when this site runs one. */
  rtpengine: RtpengineServer | null;
  /** Stores rtpengine's recordings of trunk calls (HOTLINE_RECORDING=server). */
  serverRecorder: ServerRecorder | null;
  /** The ACD's link to our managed Kamailio (call facts in, routing decisions out); attach a CallRouter to route queue calls. */
  acdBridge: KamailioAcdBridge | null;
  /** The voice service for trunk callers (announcements, menu, music on hold), when on and a media bridge exists. */
  ivr: IvrService | null;
  /** Starts the daemons this node supervises (Kamailio); main.ts calls it after listen. */
  startServices(): Promise<void>;
}

/** Softphone settings, and our managed Kamailio when configured and installed. */
async function createTelephony(config: Config, db: Db, log: FastifyBaseLogger, root: string) {
  const secret = await serverSecret(db, 'sip', config.sipSecret);
  const tlsPort = config.sipTlsPort;
  const wsServers = config.sipWsUrl
    ? config.sipWsUrl.split(',')
    : [tlsPort ? `wss://${config.sipDomain ?? config.sipAddr}:${tlsPort}` : `ws://${config.sipAddr}:${config.sipWsPort}`];
  const softphone = new SoftphoneService(
    db,
    {
      wsServers,
      domain: config.sipDomain ?? config.sipAddr,
      secret,
      credentialTtl: config.sipCredentialTtl,
      iceServers: config.iceServers,
      iceGatheringTimeoutMs: config.iceGatheringTimeoutMs,
      dtmfMode: config.dtmfMode,
      hotlineNumber: config.hotlineNumber,
      trunkRecording: config.recording,
      simulatorEnabled: config.demo,
    },
    log.child({ module: 'softphone' }),
  );
  let kamailio: KamailioServer | null = null;
  let rtpengine: RtpengineServer | null = null;
  let acdBridge: KamailioAcdBridge | null = null;
  let ivr: IvrService | null = null;
  let dtmf: DtmfListener | null = null;
  if (config.sipMode === 'managed') {
    const binary = findExecutable(config.kamailioBinary);
    if (!binary) {
      log.warn('Kamailio is not installed (apt-get install kamailio kamailio-websocket-modules kamailio-autheph-modules kamailio-utils-modules kamailio-json-modules kamailio-extra-modules); softphones need HOTLINE_SIP_MODE=external');
    } else {
      const bridge = new KamailioAcdBridge({
        evapiPort: config.sipEvapiPort,
        secret,
        log,
        agentOfExtension: async (extension) => (await db.selectFrom('app_user').select('id').where('extension', '=', extension).executeTakeFirst())?.id ?? null,
      });
      acdBridge = bridge;
      const runDir = config.inMemoryDatabase || config.databaseUrl ? mkdtempSync(join(tmpdir(), 'hotline-kamailio-')) : resolve(config.dataDir, 'kamailio');
      // The voice service needs the media bridge; a bad configuration stops the start.
      const ivrConfig: IvrConfig | null =
        ivrEnabled(config) ? loadIvrConfig(config.ivrFile ?? join(root, 'resources/ivr/ivr.json')) : null;
      // The media bridge for trunk calls: the site's rtpengine, or ours beside our Kamailio.
      let rtpengineSock = config.rtpengine === 'external' ? config.rtpengineNg : undefined;
      if (config.rtpengine === 'external' && !rtpengineSock) log.warn('HOTLINE_RTPENGINE=external needs HOTLINE_RTPENGINE_NG; trunk calls will have no audio');
      if (config.rtpengine === 'managed') {
        const rtpBinary = findExecutable(config.rtpengineBinary);
        if (!rtpBinary) {
          if (config.trunks.length) log.warn('rtpengine is not installed (apt-get install rtpengine-daemon); trunk calls will have no audio');
        } else {
          rtpengine = new RtpengineServer(
            rtpBinary,
            {
              interface: config.rtpengineInterface ?? config.sipAddr,
              ngPort: config.rtpengineNgPort,
              portMin: config.rtpenginePortMin,
              portMax: config.rtpenginePortMax,
              runDir,
              logLevel: config.logLevel === 'debug' || config.logLevel === 'trace' ? 7 : 5,
              recordingDir: config.recording === 'server' ? join(runDir, 'rtp-recordings') : undefined,
              dtmfLogDest: ivrConfig ? `127.0.0.1:${config.rtpengineDtmfPort}` : undefined,
            },
            log,
          );
          rtpengineSock = rtpengine.ngAddress;
        }
      }
      const kamcmd = findExecutable('kamcmd');
      if (ivrConfig && rtpengineSock && !kamcmd) log.warn('kamcmd (Debian package kamailio) not found: trunk callers get no announcements');
      if (ivrConfig && rtpengineSock && kamcmd) {
        const ng = rtpengine?.ng ?? RtpengineNgClient.fromAddress(rtpengineSock);
        const service = new IvrService(
          ivrConfig,
          new RtpengineIvrMedia(ng),
          {
            // tm.reply over binrpc (kamcmd, ctl's own process): over JSON-RPC/xhttp, Kamailio 5.6
            // unrefs the suspended transaction once more at the end of the HTTP request and frees it.
            sessionProgress: async (t, toTag, sdp) => {
              await runFile(kamcmd, ['-s', `unix:${runDir}/kamailio_ctl`, 'tm.reply', '183', 's:Session Progress', `s:${t.index}:${t.label}`, `s:${toTag}`, 's:Content-Type: application/sdp\r\n', `s:${sdp}`], { timeout: 5000 });
            },
          },
          log.child({ module: 'ivr' }),
        );
        // An external rtpengine must send its --dtmf-log-dest datagrams to this port on our host too.
        dtmf = new DtmfListener(config.rtpengineDtmfPort, (callId, digit) => {
          if (callId.endsWith(IVR_SUFFIX)) service.digit(callId.slice(0, -IVR_SUFFIX.length), digit);
        }, (err) => log.error({ err, module: 'ivr' }, 'handling a DTMF key failed'));
        await dtmf.start();
        bridge.ivr = service;
        ivr = service;
      }
      kamailio = new KamailioServer({
        binary,
        templatePath: join(root, 'deploy/kamailio/kamailio.cfg.tpl'),
        log,
        settings: {
          domain: config.sipDomain ?? config.sipAddr,
          authSecret: secret,
          sipAddr: config.sipAddr,
          sipPort: config.sipPort,
          wsAddr: config.sipAddr,
          wsPort: config.sipWsPort,
          rpcPort: config.sipRpcPort,
          evapiPort: config.sipEvapiPort,
          tls: tlsPort && config.sipTlsCert && config.sipTlsKey ? { port: tlsPort, certificate: config.sipTlsCert, privateKey: config.sipTlsKey } : undefined,
          credentialTtl: config.sipCredentialTtl,
          rtpengineSock,
          trunks: config.trunks,
          hotlineNumber: config.hotlineNumber,
          runDir,
          modulesDir: config.kamailioModulesDir ?? defaultModulesDir(),
          logLevel: config.logLevel === 'debug' || config.logLevel === 'trace' ? 3 : 1,
        },
        onReady: async (rpc) => {
          softphone.rpc = rpc;
          await softphone.pushAllRevocations();
          await bridge.kamailioReady(rpc);
          // Kamailio hands trunk callers' SDP to the voice service only while it runs.
          if (ivr) await rpc.call('pv.shvSet', 'ivr', 'int', 1);
          log.info({ ws: wsServers }, 'Kamailio ready');
        },
      });
    }
  }
  return { softphone, kamailio, rtpengine, acdBridge, ivr, dtmf, wsServers };
}

export interface BuildOptions {
  /** Seed the first admin (and demo floor) on an empty database. Default true. */
  seed?: boolean;
  /** Logger: true for pino with the configured level, false for none (tests). */
  logger?: boolean;
}

/**
 * A secret from configuration, else generated once and kept in the database so every node
 * (and our Kamailio, for the SIP secret) shares it. Never in the repository or the logs.
 */
async function serverSecret(db: Db, name: 'jwt' | 'sip', configured: string | undefined): Promise<string> {
  if (configured) return configured;
  await db
    .insertInto('server_secret')
    .values({ name, value: randomBytes(36).toString('base64url') })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secret').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<BuiltApp> {
  const root = projectRoot();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const app = Fastify({
    logger: opts.logger === false ? false : { level: config.logLevel, redact: ['req.headers.authorization', 'req.body.password'] },
    trustProxy: config.trustProxy,
    bodyLimit: 1_048_576,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);

  const { db, kind } = await openDatabase({
    databaseUrl: config.databaseUrl, dataDir: config.dataDir, inMemory: config.inMemoryDatabase,
    onIdleError: (err) => app.log.warn({ err: err.message }, 'database dropped an idle connection; the pool replaces it'),
  });
  try {
    const m = await migrate(db);
    if (m.applied.length) app.log.info({ applied: m.applied }, 'database migrated');
  } catch (err) {
    await db.destroy();
    throw err;
  }

  const tokens = new AccessTokens(await serverSecret(db, 'jwt', config.jwtSecret), config.accessTokenTtl);
  const authenticateToken = async (token: string): Promise<Principal> => {
    const claims = await tokens.verify(token);
    return loadPrincipal(db, claims.sessionId, claims.userId);
  };
  const authenticate: Authenticate = async (req) => {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw new AppError('UNAUTHENTICATED', 'Sign in first (Authorization: Bearer <token>)');
    return authenticateToken(header.slice(7));
  };

  const realtime = new Realtime(app.server, {
    authenticateToken,
    log: app.log,
    // Supervisors (and admins) watch the floors of the groups they own.
    extraRooms: async (p) => {
      if (!p.roles.includes('supervisor') && !p.roles.includes('admin')) return [];
      const q = db.selectFrom('group_supervisor').select('group_id');
      const rows = p.roles.includes('admin') ? await db.selectFrom('agent_group').select('id as group_id').execute() : await q.where('user_id', '=', p.userId).execute();
      return rows.map((r) => rooms.floor(r.group_id));
    },
  });
  const sip = await createTelephony(config, db, app.log, root);
  const { softphone } = sip;
  const endSessionsLive = (ids: string[], reason: SessionEndReason, replacedBy?: ConsoleLocation): void => {
    realtime.endSessions(ids, reason, replacedBy);
    softphone.onSessionsEnded(ids).catch((err: unknown) => app.log.error({ err }, 'SIP revocation after sign-out failed'));
  };
  const auth = new AuthService(db, tokens, config, endSessionsLive);
  const users = new UsersService(db, auth);
  const groups = new GroupsService(db);

  // The desktop console runs at app://desktop and calls the API cross-origin; web mode is same-origin.
  await app.register(cors, {
    origin: (origin, cb) => cb(null, !origin || origin === DESKTOP_ORIGIN),
    methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type'],
    maxAge: 600,
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `Too many attempts; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
      retryAfter: Math.ceil(ctx.ttl / 1000),
    }),
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Hotline Desk API', version },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerSystemRoutes(app, { db, databaseKind: kind, siteName: config.siteName, version, demo: config.demo, sipWebSocketUrls: sip.wsServers, authenticate });
  registerAccountRoutes(app, {
    db, auth, users, groups, authenticate, loginRatePerIp: config.loginRatePerIp,
    // Logging out of the agent console 签出s first (agentConsoles is built below; called per request).
    beforeLogout: (p, opts) => agentConsoles.beforeLogout(p, opts),
  });
  registerSoftphoneRoutes(app, softphone, authenticate);
  const breakLimits = new BreakLimits({
    db,
    reasons: config.breakReasons,
    announce: (overrun, groupIds) => realtime.io.to([rooms.user(overrun.agentId), ...groupIds.map(rooms.floor)]).emit('agent:break-overrun', overrun),
    log: app.log.child({ module: 'agents' }),
  });
  const agents = new AgentStateService(
    db,
    { wrapUpSeconds: config.wrapUpSeconds, notReadyReasons: config.notReadyReasons, breakReasons: config.breakReasons },
    {
      changed: (status, groupIds) => {
        realtime.io.to([rooms.user(status.agentId), ...groupIds.map(rooms.floor)]).emit('agent:state-changed', status);
        breakLimits.track(status);
      },
      signedOut: async (agentId) => {
        const u = await db.selectFrom('app_user').select('extension').where('id', '=', agentId).executeTakeFirst();
        if (u?.extension) await softphone.revokeExtension(u.extension);
      },
    },
    app.log.child({ module: 'agents' }),
  );
  registerAgentStateRoutes(app, agents, authenticate);
  // 班长: wallboard, monitoring (grants signed with a key derived from the token secret), agent control.
  const monitoring = new MonitoringService(db, new MonitorGrants(await serverSecret(db, 'jwt', config.jwtSecret), 30), { listenIndicator: config.monitorListenIndicator, featureCodes: monitorFeatureCodes(config) }, realtime.io);
  // 升级/求助: supervisors' consoles declare their phone ready over the socket; the agent's request picks one.
  const escalations = new EscalationService(db, realtime.io);
  escalations.attach(realtime);
  registerSupervisorRoutes(app, { floor: new FloorService(db, agents, monitoring, realtime.io), monitoring, escalations, softphone, authenticate });
  // Agents' figures for today follow their calls live on the wallboard.
  const agentFigures = new AgentFiguresPushes(db, realtime.io, app.log.child({ module: 'supervisor' }));
  agentFigures.attach(agents);
  const agentConsoles = new AgentConsoles({
    db, io: realtime.io, agents, graceSeconds: config.disconnectGraceSeconds, sessionsEnded: endSessionsLive, log: app.log.child({ module: 'agents' }),
  });
  await breakLimits.rearm();
  await agents.rearmWrapUps();
  // ACD: queues, routing and callback tasks. The SIP side attaches with acd.setSink(); timers start in startServices.
  const acdLog = app.log.child({ module: 'acd' });
  const queues = new QueuesService(db);
  // The voice service tells a waiting trunk caller their place in the queue (when configured).
  if (sip.ivr) sip.ivr.queuePosition = (callId) => queues.callersAhead(callId);
  const callbacks = new CallbacksService(db, (ids) => acdPushes.callbacksChanged(ids));
  const acdPushes = new AcdRealtimePushes(realtime.io, queues, callbacks, acdLog);
  // Working hours come with the voice service's configuration: after hours a queue call is closed (announcement, callback task).
  const hours = sip.ivr?.config.hours;
  // Offer passes in parallel on PostgreSQL (each holds a pool connection for a few round trips).
  const acd = new AcdService(db, agents, { ringGraceSeconds: 5, sweepIntervalMs: 5000, drainWorkers: config.databaseUrl ? 4 : 1, offerLeadMs: config.screenPopLeadMs, isOpen: hours ? (at) => isOpenAt(hours, at) : undefined }, acdLog, acdPushes);
  // Arrivals keep queue settings for a few seconds; a change made here applies at once.
  queues.onNumbersChanged(() => acd.queueConfigChanged());
  // Several nodes: a decision for a call another node's SIP side holds travels over PostgreSQL NOTIFY.
  const acdRelay = config.databaseUrl ? new PgDecisionRelay(config.databaseUrl, (d) => acd.deliverRelayed(d), acdLog) : null;
  acd.setRelay(acdRelay);
  registerAcdRoutes(app, { db, queues, callbacks, authenticate });
  // Our managed Kamailio hands calls to queue numbers to the ACD and carries its decisions back.
  if (sip.acdBridge) {
    const bridge = sip.acdBridge;
    acd.setSink(bridge);
    queues.onNumbersChanged(() => bridge.refreshQueueNumbers().catch((err: unknown) => acdLog.warn({ err }, 'publishing queue numbers to Kamailio failed')));
    await bridge.attach(acd, () => queues.routedNumbers());
  }
  const recordingsDir =
    config.recordingsDir ?? (config.inMemoryDatabase ? mkdtempSync(join(tmpdir(), 'hotline-recordings-')) : resolve(config.dataDir, 'recordings'));
  const recordingStore = new RecordingStore(recordingsDir);
  const recordings = new RecordingsService(db, recordingStore);
  registerRecordingRoutes(app, recordings, authenticate);
  // HOTLINE_RECORDING=server: our rtpengine records answered trunk calls; they land in the same storage.
  let serverRecorder: ServerRecorder | null = null;
  if (config.recording === 'server') {
    const rtp = sip.rtpengine;
    if (!rtp?.recordingDir) {
      app.log.error('HOTLINE_RECORDING=server but our rtpengine is not running (apt-get install rtpengine-daemon): trunk calls are not recorded');
    } else {
      const recorder = new ServerRecorder({ db, store: recordingStore, ng: rtp.ng, spoolDir: rtp.recordingDir, log: app.log.child({ module: 'server-recording' }) });
      serverRecorder = recorder;
      if (sip.acdBridge) sip.acdBridge.onCallAnswered = (callId) => recorder.callAnswered(callId);
      recorder.start();
    }
  }
  const tickets = await createTickets(app, db, {
    dataKey: config.dataKey,
    authenticate,
    notify: (userIds, notice) => realtime.io.to(userIds.map(rooms.user)).emit('ticket:changed', notice),
    attachments: {
      dir: config.attachmentsDir ?? (config.inMemoryDatabase ? mkdtempSync(join(tmpdir(), 'hotline-attachments-')) : resolve(config.dataDir, 'attachments')),
      maxBytes: config.attachmentMaxBytes,
    },
  });
  // Screen pop (caller history, tags, attribution) and the agent home, over call records and tickets.
  const callers = createCallers(app, db, {
    tickets: tickets.tickets, cipher: tickets.cipher, authenticate,
    repeat: { calls: config.repeatCallerCalls, days: config.repeatCallerDays }, attributionFile: config.numberAttributionFile,
  });
  // The ACD's offer carries the caller's history: the console paints the pop from that push.
  acdPushes.historyOf = (agentId, offer) => callers.history.forAgent(agentId, offer.callerNormalised, offer.callId);
  acdPushes.paintedWaitMs = config.screenPopLeadMs;
  // Provincial 12345 gateway (issue 6): ticket changes feed its outbox in their own transactions;
  // the province's dispatches become tickets through the tickets service.
  const province = createProvinceGateway(app, db, config, authenticate, app.log.child({ module: 'province' }), (id) => recordingStore.audioPath(id));
  if (province.enabled) tickets.tickets.changeHooks.push(provinceChangeHook({ scope: province.reportScope, cipher: tickets.cipher }));
  province.attachSink(ticketsSink(db, tickets.tickets));
  registerTransferUpRoute(app, db, authenticate);
  // A console that crashed mid-call stops sending chunks: close its recording with what arrived.
  const sweeper = setInterval(() => {
    recordings.closeAbandoned(5 * 60_000).catch((err: unknown) => app.log.error({ err }, 'closing abandoned recordings failed'));
  }, 60_000);
  sweeper.unref();
  await registerWebConsole(app, resolve(config.webRoot ?? join(root, 'out/web')), { simulator: config.demo });

  let seed: SeedResult = { created: false, credentials: [] };
  if (opts.seed !== false) {
    const run = () =>
      seedFirstRun(db, users, groups, {
        adminPassword: config.adminPassword,
        demo: config.demo,
        credentialsFile: config.databaseUrl || config.inMemoryDatabase ? undefined : join(config.dataDir, 'first-run-credentials.txt'),
      });
    // PostgreSQL: serialise first-run seeding across nodes starting together. (PGlite is one
    // process with one session; holding its only connection here would deadlock the seed.)
    seed =
      kind === 'pglite'
        ? await run()
        : await db.connection().execute(async (conn) => {
            await sql`select pg_advisory_lock(7412346)`.execute(conn);
            try {
              return await run();
            } finally {
              await sql`select pg_advisory_unlock(7412346)`.execute(conn);
            }
          });
  }

  // Drop sockets first: open WebSockets would otherwise hold app.close() until its timeout.
  app.addHook('preClose', async () => {
    await realtime.close();
  });
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    await serverRecorder?.stop();
    agents.stop();
    agentConsoles.stop();
    breakLimits.stop();
    await sip.acdBridge?.stop();
    await sip.kamailio?.stop();
    await sip.rtpengine?.stop();
    sip.dtmf?.stop();
  });
  app.addHook('onClose', async () => {
    acdPushes.stop();
    agentFigures.stop();
    await acd.stop();
    await acdRelay?.stop();
  });
  app.addHook('onClose', async () => {
    await province.stop();
  });
  app.addHook('onClose', async () => {
    await db.destroy();
  });

  return {
    app,
    db,
    realtime,
    seed,
    tickets,
    province,
    services: { auth, users, groups, softphone, recordings, agents, acd, acdPushes, queues, callbacks },
    kamailio: sip.kamailio,
    rtpengine: sip.rtpengine,
    serverRecorder,
    acdBridge: sip.acdBridge,
    ivr: sip.ivr,
    async startServices() {
      province.start();
      await acdRelay?.start();
      await acd.start();
      // rtpengine first: Kamailio's rtpengine module pings it at start.
      await sip.rtpengine?.start();
      await sip.kamailio?.start();
    },
  };
}
