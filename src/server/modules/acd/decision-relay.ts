/**
 * Several backend nodes: a routing decision can be made on a node whose SIP side does not
 * hold the call (an agent became ready there). Such decisions travel to every node through
 * PostgreSQL LISTEN/NOTIFY, and the node whose SIP side holds the call delivers it. One
 * dedicated connection per node; it reconnects with backoff when the database goes away.
 */
import pg from 'pg';
import { z } from 'zod';
import type { RoutingDecision } from './call-router.js';
import type { AcdLog, DecisionRelay } from './acd-service.js';

const CHANNEL = 'hotline_acd_decision';

const DecisionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('offer'), callId: z.string(), agentId: z.string(), extension: z.string(), ringSeconds: z.number() }),
  z.object({ kind: z.literal('overflow'), callId: z.string(), reason: z.enum(['max_wait', 'queue_full', 'closed']) }),
  z.object({ kind: z.literal('reject'), callId: z.string(), status: z.number(), reason: z.string() }),
]);

export class PgDecisionRelay implements DecisionRelay {
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private backoffMs = 200;

  constructor(
    private readonly databaseUrl: string,
    private readonly deliver: (d: RoutingDecision) => void,
    private readonly log: AcdLog,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      const parsed = DecisionSchema.safeParse(JSON.parse(msg.payload));
      if (!parsed.success) {
        this.log.error({ payload: msg.payload }, 'malformed relayed routing decision ignored');
        return;
      }
      this.deliver(parsed.data);
    });
    client.on('error', (err) => {
      this.log.error({ err }, 'ACD decision relay connection failed; reconnecting');
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.client = client;
      this.backoffMs = 200;
    } catch (err) {
      this.log.error({ err }, 'ACD decision relay could not connect; retrying');
      this.reconnect(client);
    }
  }

  private reconnect(failed: pg.Client): void {
    if (this.client === failed) this.client = null;
    failed.removeAllListeners('end');
    void failed.end().catch(() => undefined);
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, this.backoffMs);
    this.retry.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, 5000);
  }

  async publish(d: RoutingDecision): Promise<void> {
    if (!this.client) throw new Error('ACD decision relay is not connected');
    await this.client.query('select pg_notify($1, $2)', [CHANNEL, JSON.stringify(d)]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
    }
  }
}
