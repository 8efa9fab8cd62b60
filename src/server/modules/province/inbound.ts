/**
 * What the province sends the city: 派单 (a ticket dispatched to us), 催办, 督办 and 回访结果,
 * by push (the province calls our signed endpoint) or pull (we poll its feed with a cursor
 * kept in the database). Both paths end in `ingest`:
 *
 * 1. in one transaction: the message is stored once by its message id (a repeat is answered
 *    `duplicate` and changes nothing) and the province ticket's row (keyed by the upstream
 *    number) takes the newest dispatch / revisit by the province's seq, and counts urges;
 * 2. after commit, the local ticket follows (`InboundTicketSink`): created with origin 省12345
 *    from the dispatch (idempotently per upstream number), then every message not yet applied,
 *    in the province's seq order — so messages that arrived before their dispatch wait for it.
 *
 * Push requests are refused before anything is stored when the signature, the timestamp
 * (±5 min), the nonce (each accepted once, kept in the database) or the payload is wrong.
 */
import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import {
  InboundPushSchema,
  type InboundDispatchDataSchema, type InboundMessage, type InboundOpinionDataSchema, type InboundPushResult, type InboundRevisitDataSchema,
} from '../../../shared/api/province.js';
import type { Db } from '../../db/database.js';
import type { ProvinceClient } from './province-client.js';
import { SignatureError, type RequestSigner } from './signing.js';

export type InboundDispatchData = z.output<typeof InboundDispatchDataSchema>;
export type InboundOpinionData = z.output<typeof InboundOpinionDataSchema>;
export type InboundRevisitData = z.output<typeof InboundRevisitDataSchema>;

/**
 * Where inbound messages take effect on local tickets. The tickets module provides it
 * (province-ticket-sink.ts); without one, messages are stored and wait (applied_at null)
 * until a sink is attached and `applyPending` runs.
 */
export interface InboundTicketSink {
  /** Creates the local ticket (origin 省12345) for a province dispatch. Must be idempotent per upstreamNo. */
  create(upstreamNo: string, data: InboundDispatchData): Promise<{ ticketId: string; ticketNo: string }>;
  /** 催办 / 督办 from the province on the local ticket. */
  supervise(ticketId: string, kind: 'urge' | 'supervise', data: InboundOpinionData, messageId: string): Promise<void>;
  /** The province's revisit (回访) result; `reopen` asks the city to handle it again. */
  revisit(ticketId: string, data: InboundRevisitData, messageId: string): Promise<void>;
}

/** A push refused before anything was stored; `status` is the HTTP status to answer. */
export class InboundRejected extends Error {
  override name = 'InboundRejected';
  constructor(readonly status: 400 | 401, readonly code: string, message: string) {
    super(message);
  }
}

export interface InboundOptions {
  skewMs: number;
  pullLimit: number;
}

export class ProvinceInbound {
  sink: InboundTicketSink | null = null;

  constructor(
    private readonly db: Db,
    private readonly signer: RequestSigner,
    private readonly log: FastifyBaseLogger,
    private readonly opts: InboundOptions = { skewMs: 5 * 60_000, pullLimit: 200 },
  ) {}

  /** A push from the province: verify, validate, store once, then apply. */
  async receivePush(method: string, path: string, headers: Record<string, string | string[] | undefined>, rawBody: string): Promise<InboundPushResult> {
    let opened;
    try {
      opened = this.signer.open(method, path, headers, rawBody, Date.now(), this.opts.skewMs);
    } catch (err) {
      if (err instanceof SignatureError) throw new InboundRejected(err.code === 'MALFORMED_BODY' ? 400 : 401, err.code, err.message);
      throw err;
    }
    const parsed = InboundPushSchema.safeParse(opened.body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new InboundRejected(400, 'MALFORMED_PAYLOAD', `报文格式错误: ${i?.path.join('.') || '(根)'} ${i?.message ?? ''}`.trim());
    }
    return this.ingest(parsed.data.messages, 'push', opened.nonce);
  }

  /** Stores messages (and the push's nonce) in one transaction, then applies them to local tickets. */
  async ingest(messages: InboundMessage[], via: 'push' | 'pull', nonce?: string): Promise<InboundPushResult> {
    const statuses = await this.db.transaction().execute(async (tx) => {
      if (nonce) {
        // Prune what the timestamp window already refuses, then claim this nonce.
        await tx.deleteFrom('province_nonce').where('seen_at', '<', sql<Date>`now() - make_interval(secs => ${(this.opts.skewMs * 2) / 1000})`).execute();
        const fresh = await tx.insertInto('province_nonce').values({ nonce }).onConflict((oc) => oc.column('nonce').doNothing()).returning('nonce').executeTakeFirst();
        if (!fresh) throw new InboundRejected(401, 'REPLAYED_NONCE', 'nonce 已使用（重放请求）');
      }
      const out: { messageId: string; upstreamNo: string; status: 'accepted' | 'duplicate' }[] = [];
      for (const m of messages) {
        await tx.insertInto('province_inbound_ticket').values({ upstream_no: m.upstreamNo, updated_at: sql<Date>`now()` })
          .onConflict((oc) => oc.column('upstream_no').doNothing()).execute();
        const stored = await tx.insertInto('province_inbound_message')
          .values({ message_id: m.messageId, upstream_no: m.upstreamNo, kind: m.kind, upstream_seq: m.seq, payload: JSON.stringify(m.data), via })
          .onConflict((oc) => oc.column('message_id').doNothing()).returning('message_id').executeTakeFirst();
        if (!stored) {
          out.push({ messageId: m.messageId, upstreamNo: m.upstreamNo, status: 'duplicate' });
          continue;
        }
        // The province's latest word wins, whatever order the messages came in.
        switch (m.kind) {
          case 'dispatch':
            await tx.updateTable('province_inbound_ticket')
              .set({ dispatch: JSON.stringify(m.data), dispatch_seq: m.seq, updated_at: sql<Date>`now()` })
              .where('upstream_no', '=', m.upstreamNo)
              .where((eb) => eb.or([eb('dispatch_seq', 'is', null), eb('dispatch_seq', '<', m.seq)])).execute();
            break;
          case 'urge':
          case 'supervise':
            await tx.updateTable('province_inbound_ticket')
              .set(m.kind === 'urge' ? { urge_count: sql<number>`urge_count + 1`, updated_at: sql<Date>`now()` } : { supervise_count: sql<number>`supervise_count + 1`, updated_at: sql<Date>`now()` })
              .where('upstream_no', '=', m.upstreamNo).execute();
            break;
          case 'revisit':
            await tx.updateTable('province_inbound_ticket')
              .set({ revisit: JSON.stringify(m.data), revisit_seq: m.seq, updated_at: sql<Date>`now()` })
              .where('upstream_no', '=', m.upstreamNo)
              .where((eb) => eb.or([eb('revisit_seq', 'is', null), eb('revisit_seq', '<', m.seq)])).execute();
            break;
        }
        out.push({ messageId: m.messageId, upstreamNo: m.upstreamNo, status: 'accepted' });
      }
      return out;
    });
    const touched = [...new Set(statuses.map((s) => s.upstreamNo))];
    const ticketNos = new Map<string, string | null>();
    for (const u of touched) ticketNos.set(u, await this.applyPending(u));
    return { results: statuses.map((s) => ({ messageId: s.messageId, status: s.status, ticketNo: ticketNos.get(s.upstreamNo) ?? null })) };
  }

  /**
   * Brings the local ticket up to what the province has said: creates it from the dispatch,
   * then applies waiting messages in seq order. Each message is claimed (applied_at set)
   * before it is applied, so concurrent deliveries never apply one twice. Returns our ticket number.
   */
  async applyPending(upstreamNo: string): Promise<string | null> {
    const t = await this.db.selectFrom('province_inbound_ticket').selectAll().where('upstream_no', '=', upstreamNo).executeTakeFirst();
    if (!t || !this.sink) return t?.ticket_no ?? null;
    let ticketId = t.ticket_id;
    let ticketNo = t.ticket_no;
    if (!ticketId) {
      if (!t.dispatch) return null; // urges or revisits ahead of their dispatch: wait for it
      const created = await this.sink.create(upstreamNo, t.dispatch as InboundDispatchData);
      ticketId = created.ticketId;
      ticketNo = created.ticketNo;
      await this.db.updateTable('province_inbound_ticket').set({ ticket_id: ticketId, ticket_no: ticketNo, updated_at: sql<Date>`now()` })
        .where('upstream_no', '=', upstreamNo).where('ticket_id', 'is', null).execute();
      await this.db.updateTable('province_inbound_message').set({ applied_at: sql<Date>`now()` })
        .where('upstream_no', '=', upstreamNo).where('kind', '=', 'dispatch').where('applied_at', 'is', null).execute();
    }
    const waiting = await this.db.selectFrom('province_inbound_message').selectAll()
      .where('upstream_no', '=', upstreamNo).where('applied_at', 'is', null).orderBy('upstream_seq').orderBy('received_at').execute();
    for (const m of waiting) {
      const claimed = await this.db.updateTable('province_inbound_message').set({ applied_at: sql<Date>`now()`, apply_error: null })
        .where('message_id', '=', m.message_id).where('applied_at', 'is', null).returning('message_id').executeTakeFirst();
      if (!claimed) continue;
      try {
        if (m.kind === 'urge' || m.kind === 'supervise') await this.sink.supervise(ticketId, m.kind, m.payload as InboundOpinionData, m.message_id);
        else if (m.kind === 'revisit') {
          // Only the newest revisit counts; an older one arriving late is recorded, not applied.
          if (m.upstream_seq === t.revisit_seq || t.revisit_seq === null) await this.sink.revisit(ticketId, m.payload as InboundRevisitData, m.message_id);
        }
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.log.warn({ upstreamNo, messageId: m.message_id, kind: m.kind, err: message }, 'province message could not be applied to the local ticket');
        await this.db.updateTable('province_inbound_message').set({ applied_at: null, apply_error: message.slice(0, 1000) }).where('message_id', '=', m.message_id).execute();
      }
    }
    return ticketNo;
  }

  /**
   * Retries messages still waiting (e.g. an urge on a ticket not yet dispatched to a unit,
   * which the workflow refuses until it is). Returns how many province tickets were looked at.
   */
  async retryWaiting(limit = 100): Promise<number> {
    const rows = await this.db.selectFrom('province_inbound_message').select('upstream_no').distinct()
      .where('applied_at', 'is', null).limit(limit).execute();
    for (const r of rows) await this.applyPending(r.upstream_no);
    return rows.length;
  }

  /** Pull mode: reads the province's feed from the stored cursor until it is empty. Returns messages read. */
  async pullOnce(client: ProvinceClient, feed = 'dispatches'): Promise<number> {
    let total = 0;
    for (;;) {
      const row = await this.db.selectFrom('province_pull_cursor').select('cursor').where('feed', '=', feed).executeTakeFirst();
      const page = await client.pullFeed(row?.cursor ?? null, this.opts.pullLimit);
      if (page.messages.length) await this.ingest(page.messages, 'pull');
      // The cursor moves only after the page is stored: a crash re-reads it, and ingest dedups.
      await this.db.insertInto('province_pull_cursor').values({ feed, cursor: page.nextCursor, updated_at: sql<Date>`now()` })
        .onConflict((oc) => oc.column('feed').doUpdateSet({ cursor: page.nextCursor, updated_at: sql<Date>`now()` })).execute();
      total += page.messages.length;
      if (page.messages.length < this.opts.pullLimit) return total;
    }
  }
}
