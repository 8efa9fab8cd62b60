/**
 * The provincial 12345 gateway module: builds the signer, client, dispatcher, inbound side and
 * reconciliation from configuration, registers the admin routes and the province's push
 * endpoint, and runs the background work (dispatch, pull, daily reconciliation) between
 * start() and stop(). Off — routes answer 503, nothing runs — until HOTLINE_PROVINCE_URL is set.
 *
 * Ticket code talks to it only through `enqueueProvinceEvent(tx, …)` (outbox.ts) inside its
 * own transactions, and gives it an `InboundTicketSink` for the province's dispatches.
 */
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { provinceRoutes, type GatewayHealth } from '../../../shared/api/province.js';
import type { Config } from '../../config/config.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { bindRoute, type Authenticate } from '../../http/route.js';
import { ProvinceDispatcher, type DispatcherCircuit } from './dispatcher.js';
import { InboundRejected, ProvinceInbound, type InboundTicketSink } from './inbound.js';
import { listDeadLetters, resendDeadLetter } from './outbox.js';
import { ProvinceClient } from './province-client.js';
import { dailyDue, reconcile, toSummary } from './reconciliation.js';
import { RequestSigner } from './signing.js';
import { linkVoiceRecords, VoiceUploader } from './voice.js';

export { enqueueProvinceEvent, type ProvinceEventInput } from './outbox.js';
export type { InboundTicketSink } from './inbound.js';

/** Our push endpoint for the province (signed by it, no user token). */
export const INBOUND_PATH = '/api/province/inbound';

export interface ProvinceGateway {
  enabled: boolean;
  /** Which tickets the province hears about (HOTLINE_PROVINCE_REPORT_SCOPE). */
  reportScope: 'all' | 'province';
  dispatcher: ProvinceDispatcher | null;
  inbound: ProvinceInbound | null;
  client: ProvinceClient | null;
  health(): Promise<GatewayHealth>;
  /** Attaches where inbound dispatches become local tickets (the tickets module). */
  attachSink(sink: InboundTicketSink): void;
  start(): void;
  stop(): Promise<void>;
}

export async function gatewayHealth(db: Db, circuit: DispatcherCircuit, enabled: boolean): Promise<GatewayHealth> {
  const [outbox, sent, failures, rejected, last, recon] = await Promise.all([
    sql<{ depth: number; dead: number; oldest: Date | null }>`
      SELECT count(*) FILTER (WHERE state = 'pending')::int AS depth, count(*) FILTER (WHERE state = 'dead')::int AS dead,
             min(created_at) FILTER (WHERE state = 'pending') AS oldest
      FROM province_outbox WHERE state <> 'sent'`.execute(db),
    sql<{ minute: number; hour: number }>`
      SELECT count(*) FILTER (WHERE sent_at > now() - interval '1 minute')::int AS minute, count(*)::int AS hour
      FROM province_outbox WHERE state = 'sent' AND sent_at > now() - interval '1 hour'`.execute(db),
    sql<{ outcome: string; n: number }>`
      SELECT outcome, count(*)::int AS n FROM province_attempt WHERE at > now() - interval '1 hour' AND outcome <> 'ok' GROUP BY outcome`.execute(db),
    sql<{ n: number }>`SELECT coalesce(sum(rejected), 0)::int AS n FROM province_attempt WHERE at > now() - interval '1 hour' AND outcome = 'ok'`.execute(db),
    sql<{ at: Date | null }>`SELECT max(at) AS at FROM province_attempt WHERE outcome = 'ok'`.execute(db),
    db.selectFrom('province_reconciliation').selectAll().orderBy('created_at', 'desc').limit(1).executeTakeFirst(),
  ]);
  const o = outbox.rows[0]!;
  const failuresByReason: Record<string, number> = Object.fromEntries(failures.rows.map((r) => [r.outcome, r.n]));
  if (rejected.rows[0]!.n) failuresByReason.rejected = rejected.rows[0]!.n;
  const oldest = o.oldest ? new Date(o.oldest) : null;
  return {
    enabled,
    circuit,
    outboxDepth: o.depth,
    oldestPendingAgeSeconds: oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : null,
    deadLetters: o.dead,
    sentLastMinute: sent.rows[0]!.minute,
    sentLastHour: sent.rows[0]!.hour,
    failuresByReason,
    lastSuccessAt: last.rows[0]?.at ? new Date(last.rows[0].at).toISOString() : null,
    lastReconciliation: recon ? toSummary(recon) : null,
  };
}

/** How often finished recordings of forwarded tickets are looked for (语音信息批量上报). */
const VOICE_SWEEP_MS = 15_000;

export function createProvinceGateway(
  app: FastifyInstance, db: Db, config: Config, authenticate: Authenticate, log: FastifyBaseLogger,
  /** Where a recording's audio is (RecordingStore.audioPath), for voice uploads. */
  recordingPath?: (recordingId: string) => string,
): ProvinceGateway {
  const enabled = !!config.provinceUrl;
  if (enabled && !config.provinceAppSecret) throw new Error('HOTLINE_PROVINCE_APP_SECRET must be set when HOTLINE_PROVINCE_URL is');
  const signer = enabled
    ? new RequestSigner({ method: config.provinceSignMethod, appKey: config.provinceAppKey, secret: config.provinceAppSecret!, sm4Key: config.provinceSm4Key })
    : null;
  const client = signer ? new ProvinceClient({ baseUrl: config.provinceUrl!, signer, timeoutMs: config.provinceTimeoutMs }) : null;
  const node = `${hostname()}:${process.pid}`;
  const dispatcher = client
    ? new ProvinceDispatcher(db, client, {
        node,
        batchSize: config.provinceBatchSize,
        intervalMs: config.provinceBatchIntervalMs,
        concurrency: config.provinceConcurrency,
        leaseMs: Math.max(config.provinceLeaseSeconds * 1000, config.provinceTimeoutMs * 2),
      }, log, recordingPath ? new VoiceUploader(client, { audioPath: recordingPath }) : null)
    : null;
  const inbound = signer && config.provinceInbound !== 'off' ? new ProvinceInbound(db, signer, log) : null;

  const requireEnabled = () => {
    if (!client) throw new AppError('UNAVAILABLE', '未配置省级12345平台对接（HOTLINE_PROVINCE_URL）');
    return client;
  };

  bindRoute(app, provinceRoutes.provinceHealth, authenticate, () => gatewayHealth(db, dispatcher?.circuit ?? 'stopped', enabled));
  bindRoute(app, provinceRoutes.provinceDeadLetters, authenticate, async ({ query }) => ({ items: await listDeadLetters(db, query.limit) }));
  bindRoute(app, provinceRoutes.provinceResend, authenticate, async ({ params, body }) => {
    await resendDeadLetter(db, params.id, body.data);
    dispatcher?.nudge();
    return { requeued: true as const };
  });
  bindRoute(app, provinceRoutes.provinceReconcile, authenticate, async ({ body, principal }) => {
    const report = await reconcile(db, requireEnabled(), { ...body, trigger: 'manual', requestedBy: principal.userId });
    if (!report) throw new AppError('CONFLICT', '对账报告未保存');
    dispatcher?.nudge();
    return report;
  });
  bindRoute(app, provinceRoutes.provinceReconciliations, authenticate, async () => {
    const rows = await db.selectFrom('province_reconciliation').selectAll().orderBy('created_at', 'desc').limit(100).execute();
    return { items: rows.map(toSummary) };
  });
  bindRoute(app, provinceRoutes.provinceReconciliation, authenticate, async ({ params }) => {
    const row = await db.selectFrom('province_reconciliation').selectAll().where('id', '=', params.id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `没有对账报告 ${params.id}`);
    return { ...toSummary(row), differences: row.differences as never };
  });

  // The province's push: the raw body is needed for the signature, so this route parses JSON itself.
  void app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post(INBOUND_PATH, { schema: { hide: true } as never }, async (req, reply) => {
      if (!inbound || (config.provinceInbound !== 'push' && config.provinceInbound !== 'both')) {
        return reply.code(503).send({ code: 'UNAVAILABLE', message: '未启用省平台推送接收' });
      }
      try {
        return await inbound.receivePush('POST', req.url, req.headers, typeof req.body === 'string' ? req.body : '');
      } catch (err) {
        if (err instanceof InboundRejected) {
          log.warn({ code: err.code, ip: req.ip }, 'province push refused');
          return reply.code(err.status).send({ code: err.code, message: err.message });
        }
        throw err;
      }
    });
  });

  let pullTimer: NodeJS.Timeout | null = null;
  let reconcileTimer: NodeJS.Timeout | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let voiceTimer: NodeJS.Timeout | null = null;
  let pulling = false;
  return {
    enabled,
    reportScope: config.provinceReportScope,
    dispatcher,
    inbound,
    client,
    health: () => gatewayHealth(db, dispatcher?.circuit ?? 'stopped', enabled),
    attachSink(sink) {
      if (inbound) inbound.sink = sink;
    },
    start() {
      if (!client) return;
      dispatcher?.start();
      if (recordingPath) {
        voiceTimer = setInterval(() => {
          linkVoiceRecords(db)
            .then((n) => { if (n) dispatcher?.nudge(); })
            .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'province voice sweep failed'));
        }, VOICE_SWEEP_MS);
        voiceTimer.unref();
      }
      if (inbound) {
        // Messages the local workflow refused for now (an urge before the ticket reached a unit) are retried.
        retryTimer = setInterval(() => {
          inbound.retryWaiting().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'province waiting messages retry failed'));
        }, 60_000);
        retryTimer.unref();
      }
      if (inbound && (config.provinceInbound === 'pull' || config.provinceInbound === 'both')) {
        pullTimer = setInterval(() => {
          if (pulling) return;
          pulling = true;
          inbound.pullOnce(client).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'province pull failed')).finally(() => { pulling = false; });
        }, config.provincePullIntervalMs);
        pullTimer.unref();
      }
      if (config.provinceReconcileAt) {
        reconcileTimer = setInterval(() => {
          const { due, day } = dailyDue(new Date(), config.provinceReconcileAt);
          if (!due) return;
          void (async () => {
            const done = await db.selectFrom('province_reconciliation').select('id').where('trigger', '=', 'schedule').where('range_from', '=', day).executeTakeFirst();
            if (done) return;
            await reconcile(db, client, { from: day, to: day, trigger: 'schedule', resendMissing: true });
            log.info({ day }, 'province daily reconciliation stored');
          })().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'province daily reconciliation failed'));
        }, 60_000);
        reconcileTimer.unref();
      }
    },
    async stop() {
      if (pullTimer) clearInterval(pullTimer);
      if (reconcileTimer) clearInterval(reconcileTimer);
      if (retryTimer) clearInterval(retryTimer);
      if (voiceTimer) clearInterval(voiceTimer);
      await dispatcher?.stop();
    },
  };
}
