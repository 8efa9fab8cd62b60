/**
 * Call recordings: start, chunked upload while the call runs, completion with checksum,
 * and who may listen (the agent, supervisors of the agent's groups, QA and admins).
 * Recordings abandoned mid-call (console crashed) are closed as 'incomplete' with what
 * arrived, so nothing uploaded is lost.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { CompleteRecordingSchema, Recording, StartRecordingSchema } from '../../../shared/api/recordings.js';
import { MAX_RECORDING_CHUNK_BYTES } from '../../../shared/api/recordings.js';
import type { Db } from '../../db/database.js';
import type { CallRecordingTable } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import type { Principal } from '../accounts/principal.js';
import type { RecordingStore } from './recording-store.js';
import type { Selectable } from 'kysely';

type Row = Selectable<CallRecordingTable> & { agent_name: string };

function toRecording(r: Row): Recording {
  return {
    id: r.id,
    sipCallId: r.sip_call_id,
    agentId: r.agent_id,
    agentName: r.agent_name,
    extension: r.extension,
    direction: r.direction,
    remoteNumber: r.remote_number,
    mimeType: r.mime_type,
    state: r.state,
    startedAt: r.started_at.toISOString(),
    endedAt: r.ended_at?.toISOString() ?? null,
    durationMs: r.duration_ms,
    bytes: Number(r.bytes),
    chunks: r.chunks,
    sha256: r.sha256,
    source: r.source,
  };
}

export class RecordingsService {
  constructor(private readonly db: Db, private readonly store: RecordingStore) {}

  private async row(id: string, db: Db = this.db): Promise<Row> {
    const r = await db
      .selectFrom('call_recording as r')
      .innerJoin('app_user as u', 'u.id', 'r.agent_id')
      .selectAll('r')
      .select('u.display_name as agent_name')
      .where('r.id', '=', id)
      .executeTakeFirst();
    if (!r) throw new AppError('NOT_FOUND', 'No such recording');
    return r;
  }

  async start(p: Principal, input: z.output<typeof StartRecordingSchema>): Promise<Recording> {
    const { id } = await this.db
      .insertInto('call_recording')
      .values({
        sip_call_id: input.sipCallId,
        agent_id: p.userId,
        extension: p.extension,
        direction: input.direction,
        remote_number: input.remoteNumber,
        mime_type: input.mimeType,
        started_at: input.startedAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return toRecording(await this.row(id));
  }

  private async ownOpen(p: Principal, id: string): Promise<Row> {
    const r = await this.row(id);
    if (r.agent_id !== p.userId) throw new AppError('FORBIDDEN', 'Only the recording agent uploads its audio');
    return r;
  }

  async putChunk(p: Principal, id: string, seq: number, data: unknown): Promise<{ seq: number; bytes: number }> {
    if (!Buffer.isBuffer(data) || data.length === 0) {
      throw new AppError('VALIDATION_FAILED', 'Send the chunk as a non-empty application/octet-stream body');
    }
    if (data.length > MAX_RECORDING_CHUNK_BYTES) throw new AppError('VALIDATION_FAILED', `Chunk larger than ${MAX_RECORDING_CHUNK_BYTES} bytes`);
    const r = await this.ownOpen(p, id);
    if (r.state !== 'recording') throw new AppError('CONFLICT', `Recording is already ${r.state}`);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const prior = await this.db.selectFrom('call_recording_chunk').select(['sha256']).where('recording_id', '=', id).where('seq', '=', seq).executeTakeFirst();
    if (prior) {
      // A retry after a lost response: same bytes are fine, different bytes are a client bug.
      if (prior.sha256 !== sha256) throw new AppError('CONFLICT', `Chunk ${seq} was already uploaded with different content`);
      return { seq, bytes: data.length };
    }
    this.store.writeChunk(id, seq, data);
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('call_recording_chunk').values({ recording_id: id, seq, bytes: data.length, sha256 })
        .onConflict((oc) => oc.columns(['recording_id', 'seq']).doNothing()).execute();
      await tx.updateTable('call_recording').set({ last_chunk_at: new Date() }).where('id', '=', id).execute();
    });
    return { seq, bytes: data.length };
  }

  async complete(p: Principal, id: string, input: z.output<typeof CompleteRecordingSchema>): Promise<Recording> {
    const r = await this.ownOpen(p, id);
    if (r.state !== 'recording') {
      if (r.state === 'complete' && r.sha256 === input.sha256) return toRecording(r); // idempotent retry
      throw new AppError('CONFLICT', `Recording is already ${r.state}`);
    }
    const have = await this.db.selectFrom('call_recording_chunk').select('seq').where('recording_id', '=', id).orderBy('seq').execute();
    const missing = [];
    for (let i = 0; i < input.chunks; i++) if (!have.find((h) => h.seq === i)) missing.push(i);
    if (missing.length || have.length !== input.chunks) {
      throw new AppError('CONFLICT', `Chunks missing or unexpected: have ${have.length}, expected ${input.chunks}${missing.length ? `, missing ${missing.slice(0, 10).join(',')}` : ''}`);
    }
    const joined = await this.store.assemble(id);
    const state = joined.sha256 === input.sha256 ? 'complete' : 'incomplete';
    await this.db.updateTable('call_recording')
      .set({ state, ended_at: new Date(), duration_ms: input.durationMs, bytes: joined.bytes, chunks: joined.chunks.length, sha256: joined.sha256 })
      .where('id', '=', id).execute();
    if (state !== 'complete') throw new AppError('CONFLICT', 'Checksum mismatch: the stored audio differs from what the console recorded');
    return toRecording(await this.row(id));
  }

  /** Closes recordings whose console stopped sending (crash, power loss) with what arrived. */
  async closeAbandoned(idleMs: number): Promise<number> {
    const stale = await this.db.selectFrom('call_recording').select('id')
      .where('state', '=', 'recording').where('last_chunk_at', '<', new Date(Date.now() - idleMs)).execute();
    for (const { id } of stale) {
      const joined = await this.store.assemble(id);
      await this.db.updateTable('call_recording')
        .set({ state: 'incomplete', ended_at: new Date(), bytes: joined.bytes, chunks: joined.chunks.length, sha256: joined.sha256 })
        .where('id', '=', id).where('state', '=', 'recording').execute();
    }
    return stale.length;
  }

  async list(p: Principal, q: { sipCallId?: string | undefined; limit: number }): Promise<Recording[]> {
    let query = this.db
      .selectFrom('call_recording as r')
      .innerJoin('app_user as u', 'u.id', 'r.agent_id')
      .selectAll('r')
      .select('u.display_name as agent_name')
      .orderBy('r.started_at', 'desc')
      .limit(q.limit);
    if (q.sipCallId) query = query.where('r.sip_call_id', '=', q.sipCallId);
    if (!p.roles.includes('qa') && !p.roles.includes('admin')) {
      query = query.where((eb) =>
        eb.or([
          eb('r.agent_id', '=', p.userId),
          eb('r.agent_id', 'in', eb.selectFrom('group_supervisor as s').innerJoin('group_member as m', 'm.group_id', 's.group_id').select('m.user_id').where('s.user_id', '=', p.userId)),
        ]),
      );
    }
    return (await query.execute()).map(toRecording);
  }

  async assertCanListen(p: Principal, id: string): Promise<Recording> {
    const r = await this.row(id);
    if (r.agent_id === p.userId || p.roles.includes('qa') || p.roles.includes('admin')) return toRecording(r);
    if (p.roles.includes('supervisor')) {
      const owns = await this.db
        .selectFrom('group_supervisor as s')
        .innerJoin('group_member as m', 'm.group_id', 's.group_id')
        .select('s.group_id')
        .where('s.user_id', '=', p.userId)
        .where('m.user_id', '=', r.agent_id)
        .executeTakeFirst();
      if (owns) return toRecording(r);
    }
    throw new AppError('FORBIDDEN', 'Only the agent, supervisors of the agent’s group, QA and admins may listen');
  }

  audio(id: string) {
    if (!this.store.has(id)) throw new AppError('NOT_FOUND', 'Audio not available yet');
    return this.store.read(id);
  }
}
