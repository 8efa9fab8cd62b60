/**
 * Server-side recording of trunk calls (HOTLINE_RECORDING=server). Our managed rtpengine
 * records into a spool directory (`--recording-method=pcap`): when a call is answered we ask
 * it to record that call (ng `start recording`; calls it does not bridge are refused and
 * need nothing), and when it releases the session it moves the call's metadata file into
 * `metadata/`. This collector watches for those, decodes the pcap (G.711 → mixed WAV,
 * rtp-capture.ts), stores it in the recording storage with its SHA-256, inserts the
 * recording for the agent of the call record and links it, then removes the spool files.
 *
 * Why not rtpengine's own recording daemon (Debian `rtpengine-recording-daemon`, which mixes
 * to WAV): it reads the packets from the kernel module's /proc interface (`--recording-method=proc`),
 * and we run rtpengine in userspace only. The pcap method needs nothing else.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/database.js';
import type { RtpengineNgClient } from '../../telephony/rtpengine/ng-client.js';
import type { RecordingStore } from './recording-store.js';
import { decodeCapture, encodeWav, readPcapRtp, SAMPLE_RATE } from './rtp-capture.js';

/** rtpengine names a call's metadata file rtpengine-meta-<Call-ID>-<16 hex>.txt. */
const META = /^rtpengine-meta-(.+)-[0-9a-f]{16}\.txt$/;

export interface ServerRecorderOptions {
  db: Db;
  store: RecordingStore;
  ng: RtpengineNgClient;
  /** rtpengine's --recording-dir. */
  spoolDir: string;
  log: FastifyBaseLogger;
  pollMs?: number;
}

export class ServerRecorder {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  /** Recordings stored since start (health, tests). */
  stored = 0;

  constructor(private readonly o: ServerRecorderOptions) {
    mkdirSync(o.spoolDir, { recursive: true });
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.collect(), this.o.pollMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** An answered call: record it if rtpengine bridges it. */
  callAnswered(callId: string): void {
    this.o.ng.command('start recording', { 'call-id': callId }).then(
      () => this.o.log.info({ callId }, 'server recording started'),
      // Calls between browsers never reach rtpengine: "Unknown call-id" is the normal answer for them.
      (err: unknown) => this.o.log.debug({ callId, err: (err as Error).message }, 'not recorded on the server (not bridged)'),
    );
  }

  /** Stores every call rtpengine has finished recording. Runs one at a time. */
  collect(): Promise<void> {
    this.running = this.running.then(() => this.collectNow()).catch((err: unknown) => this.o.log.error({ err }, 'collecting server recordings failed'));
    return this.running;
  }

  private async collectNow(): Promise<void> {
    const dir = join(this.o.spoolDir, 'metadata');
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const m = META.exec(name);
      if (!m) continue;
      const metaFile = join(dir, name);
      try {
        await this.ingest(m[1]!, metaFile);
      } catch (err) {
        // Kept for the next round (e.g. the database is down); a file that can never be read is logged each time.
        this.o.log.error({ err, file: metaFile }, 'server recording not stored yet');
      }
    }
  }

  private async ingest(callId: string, metaFile: string): Promise<void> {
    const meta = await readFile(metaFile, 'utf8');
    const pcapFile = meta.split('\n')[0]!.trim();
    const remove = () => {
      if (pcapFile.startsWith(this.o.spoolDir)) rmSync(pcapFile, { force: true });
      rmSync(metaFile, { force: true });
    };
    const existing = await this.o.db.selectFrom('call_recording').select('id').where('sip_call_id', '=', callId).where('source', '=', 'server').executeTakeFirst();
    if (existing) return remove();
    const call = await this.o.db
      .selectFrom('call_record as c')
      .leftJoin('app_user as u', 'u.id', 'c.agent_id')
      .select(['c.agent_id', 'c.direction', 'c.caller', 'c.called', 'c.ended_at', 'u.extension'])
      .where('c.call_id', '=', callId)
      .executeTakeFirst();
    if (!call?.agent_id) {
      this.o.log.warn({ callId }, 'server recording of a call no agent answered: discarded');
      return remove();
    }
    const capture = decodeCapture(existsSync(pcapFile) ? readPcapRtp(await readFile(pcapFile)) : []);
    if (capture.startedAt === null) {
      this.o.log.warn({ callId }, 'server recording holds no G.711 audio: discarded');
      return remove();
    }
    const id = randomUUID();
    const { bytes, sha256 } = await this.o.store.writeWhole(id, encodeWav(capture.samples));
    const startedAt = new Date(capture.startedAt * 1000);
    const durationMs = Math.round((capture.samples.length / SAMPLE_RATE) * 1000);
    const outbound = call.direction === 'outbound';
    await this.o.db.transaction().execute(async (tx) => {
      await tx.insertInto('call_recording').values({
        id,
        sip_call_id: callId,
        agent_id: call.agent_id!,
        extension: call.extension,
        direction: outbound ? 'outbound' : 'inbound',
        remote_number: (outbound ? call.called : call.caller) || 'unknown',
        mime_type: 'audio/wav',
        state: 'complete',
        started_at: startedAt,
        ended_at: new Date(startedAt.getTime() + durationMs),
        duration_ms: durationMs,
        bytes,
        chunks: 0,
        sha256,
        source: 'server',
      }).execute();
      await tx.updateTable('call_record').set({ recording_id: id }).where('call_id', '=', callId).where('recording_id', 'is', null).execute();
    });
    this.stored++;
    this.o.log.info({ callId, recordingId: id, durationMs, streams: capture.streams, bytes }, 'server recording stored');
    remove();
  }
}
