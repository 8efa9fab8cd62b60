/**
 * 语音信息批量上报: the call recordings of tickets the province knows about, through the outbox.
 *
 * - `linkVoiceRecords` (the sweep, every node, any time): each finished recording whose call has
 *   a forwarded ticket gets one `voice` event in that ticket's stream — after the ticket's appeal,
 *   since a stream only exists once something was enqueued for it. A recording usually finishes
 *   after the ticket was registered during the call, so this is a sweep and not a ticket hook;
 *   the `province_voice` row taken in the same transaction makes it once per recording and ticket.
 * - `VoiceUploader`: before the dispatcher sends a voice event, the audio goes up in checksummed
 *   chunks under the event's key, resuming from what the province already holds. The province
 *   accepts the event only when it holds the whole file with the event's checksum.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { sql } from 'kysely';
import { VoiceDataSchema, type ProvinceBatchItem } from '../../../shared/api/province.js';
import type { Db } from '../../db/database.js';
import { enqueueProvinceEvent } from './outbox.js';
import type { ProvinceClient } from './province-client.js';

/** Recordings older than this are not looked at again (a ticket filed weeks later links none). */
const SWEEP_WINDOW_DAYS = 30;

/** Adds a voice event for every finished recording of a forwarded ticket's call not yet reported. Returns how many. */
export async function linkVoiceRecords(db: Db, limit = 200): Promise<number> {
  const found = await sql<{
    id: string; sip_call_id: string; direction: 'inbound' | 'outbound'; started_at: Date; ended_at: Date; duration_ms: number | null;
    mime_type: string; bytes: number; sha256: string; ticket_id: string; ticket_no: string; upstream_no: string | null;
  }>`
    SELECT r.id, r.sip_call_id, r.direction, r.started_at, r.ended_at, r.duration_ms, r.mime_type, r.bytes, r.sha256,
           t.id AS ticket_id, t.ticket_no, t.upstream_no
    FROM call_recording r
    JOIN ticket t ON t.call_id = r.sip_call_id
    JOIN province_stream s ON s.ticket_no = t.ticket_no
    WHERE r.state = 'complete' AND r.sha256 IS NOT NULL AND r.bytes > 0
      AND r.ended_at > now() - make_interval(days => ${SWEEP_WINDOW_DAYS})
      AND NOT EXISTS (SELECT 1 FROM province_voice v WHERE v.recording_id = r.id AND v.ticket_no = t.ticket_no)
    ORDER BY r.ended_at
    LIMIT ${limit}`.execute(db);
  let added = 0;
  for (const r of found.rows) {
    await db.transaction().execute(async (tx) => {
      const mine = await tx.insertInto('province_voice')
        .values({ recording_id: r.id, ticket_no: r.ticket_no, event_key: '' })
        .onConflict((oc) => oc.columns(['recording_id', 'ticket_no']).doNothing())
        .returning('recording_id')
        .executeTakeFirst();
      if (!mine) return; // another node's sweep got there first
      const ended = new Date(r.ended_at);
      const event = await enqueueProvinceEvent(tx, {
        ticketNo: r.ticket_no, ticketId: r.ticket_id, upstreamNo: r.upstream_no, type: 'voice', occurredAt: ended,
        data: {
          recordingId: r.id, callId: r.sip_call_id, direction: r.direction, startedAt: new Date(r.started_at).toISOString(),
          durationMs: r.duration_ms ?? 0, mimeType: r.mime_type, bytes: Number(r.bytes), sha256: r.sha256, at: ended.toISOString(),
        },
      });
      await tx.updateTable('province_voice').set({ event_key: event.key })
        .where('recording_id', '=', r.id).where('ticket_no', '=', r.ticket_no).execute();
      added++;
    });
  }
  return added;
}

/** The province will never take this voice event as it is (missing or changed audio, refused): dead letter. */
export class VoiceRejected extends Error {
  override name = 'VoiceRejected';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface VoiceUploaderOptions {
  /** Where a recording's audio file is (RecordingStore.audioPath). */
  audioPath: (recordingId: string) => string;
  /** Bytes per chunk; base64 in a signed JSON body, so keep it well under a megabyte. */
  chunkBytes?: number;
}

export class VoiceUploader {
  private readonly chunkBytes: number;
  /** Bytes sent, for the admin page and the tests' resume check. */
  bytesSent = 0;

  constructor(private readonly client: ProvinceClient, private readonly opts: VoiceUploaderOptions) {
    this.chunkBytes = opts.chunkBytes ?? 256 * 1024;
  }

  /**
   * Makes the province hold the whole audio of a voice event. Throws TransportError (try again
   * later: the next attempt resumes) or VoiceRejected (permanent).
   */
  async upload(item: ProvinceBatchItem, signal?: AbortSignal): Promise<void> {
    const voice = VoiceDataSchema.parse(item.data);
    const status = await this.client.voiceStatus(item.key, signal);
    if (status.complete) return;
    let file;
    try {
      file = await open(this.opts.audioPath(voice.recordingId), 'r');
    } catch (err) {
      throw new VoiceRejected('VOICE_FILE_MISSING', `本地录音文件不可读: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      const size = (await file.stat()).size;
      if (size !== voice.bytes) throw new VoiceRejected('VOICE_FILE_CHANGED', `本地录音文件大小 ${size} 与登记的 ${voice.bytes} 字节不符`);
      let offset = status.received;
      while (offset < voice.bytes) {
        const len = Math.min(this.chunkBytes, voice.bytes - offset);
        const buf = Buffer.alloc(len);
        await file.read(buf, 0, len, offset);
        const r = await this.client.putVoiceChunk(item.key, {
          offset, total: voice.bytes, sha256: voice.sha256,
          chunkSha256: createHash('sha256').update(buf).digest('hex'), data: buf.toString('base64'),
        }, signal);
        if (r.kind === 'rejected') throw new VoiceRejected(r.code, r.message);
        this.bytesSent += len;
        if (r.kind === 'offset') {
          offset = r.received; // the province holds another amount (an earlier answer was lost): follow it
          continue;
        }
        if (r.status.complete) return;
        offset = r.status.received;
      }
    } finally {
      await file.close();
    }
  }
}
