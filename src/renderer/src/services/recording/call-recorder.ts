/**
 * Records an answered call on the agent's side: the caller's and the agent's audio mixed
 * with WebAudio (and a supervisor's voice while they whisper or barge in: what the agent
 * heard, see softphone/call-side-audio.ts), encoded by MediaRecorder (Opus), uploaded every few seconds while the
 * call runs (see chunk-uploader.ts) and completed with a checksum when it ends.
 */
import { api } from '../../../../shared/api/index.js';
import { call, freshAccessToken } from '../session';
import { resolveServerUrl } from '../server-url';
import { createLogger } from '../log';
import type { CallSideAudio } from '../softphone/call-side-audio';
import { ChunkUploader } from './chunk-uploader';

const log = createLogger('recording');
const TIMESLICE_MS = 2000;

export interface CallRecordingInfo {
  sipCallId: string;
  direction: 'inbound' | 'outbound';
  remoteNumber: string;
}

function pickMimeType(): string {
  for (const t of ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm']) {
    if (typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(t)) return t;
  }
  return 'audio/webm';
}

export class CallRecorder {
  private ctx: AudioContext | null = null;
  private recorder: MediaRecorder | null = null;
  private uploader: ChunkUploader | null = null;
  private startedAt = 0;
  private stopped: Promise<void> | null = null;
  /** Blob → bytes conversions, chained so chunks are queued in order and `stop` can wait for the last. */
  private converting: Promise<void> = Promise.resolve();
  /** The agent's side in the mix; replaced when the microphone is switched mid-call. */
  private localSource: MediaStreamAudioSourceNode | null = null;
  private mixInput: MediaStreamAudioDestinationNode | null = null;
  /** A WebAudio source stays bound to the track it was made from: follow a microphone switch. */
  private readonly onLocalTrack = (): void => this.connectLocal();
  /** Supervisor streams in the mix now (whisper, barge), by stream. */
  private readonly sideSources = new Map<MediaStream, MediaStreamAudioSourceNode>();
  private unwatchSide: (() => void) | null = null;
  recordingId: string | null = null;

  constructor(
    private readonly local: MediaStream,
    private readonly remote: MediaStream,
    private readonly info: CallRecordingInfo,
    private readonly side: CallSideAudio | null = null,
  ) {}

  async start(): Promise<void> {
    const mimeType = pickMimeType();
    this.startedAt = Date.now();
    const rec = await call(api.startRecording, {
      body: { ...this.info, mimeType, startedAt: new Date(this.startedAt).toISOString() },
    });
    this.recordingId = rec.id;
    const id = rec.id;
    this.uploader = new ChunkUploader({
      putChunk: async (seq, data) => {
        const base = await resolveServerUrl();
        const token = await freshAccessToken();
        const res = await fetch(`${base}/api/recordings/${id}/chunks/${seq}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token ?? ''}` },
          body: data as Uint8Array<ArrayBuffer>,
        });
        if (!res.ok) throw new Error(`chunk ${seq}: HTTP ${res.status}`);
      },
      complete: async (chunks, sha256, durationMs) => {
        await call(api.completeRecording, { params: { id }, body: { chunks, sha256, durationMs } });
      },
    });

    // Mix caller and agent into one track. The remote WebRTC stream is also playing in a
    // media element (the softphone's), which WebAudio needs to receive its samples.
    this.ctx = new AudioContext();
    const dest = this.ctx.createMediaStreamDestination();
    this.mixInput = dest;
    this.connectLocal();
    this.local.addEventListener('addtrack', this.onLocalTrack);
    if (this.remote.getAudioTracks().length) this.ctx.createMediaStreamSource(this.remote).connect(dest);
    if (this.side) {
      for (const s of this.side.current()) this.connectSide(s, true);
      this.unwatchSide = this.side.watch((s, present) => this.connectSide(s, present));
    }
    const recorder = new MediaRecorder(dest.stream, { mimeType, audioBitsPerSecond: 32_000 });
    this.recorder = recorder;
    recorder.ondataavailable = (e) => {
      if (e.data.size === 0) return;
      const blob = e.data;
      this.converting = this.converting
        .then(() => blob.arrayBuffer())
        .then((b) => this.uploader?.push(new Uint8Array(b)))
        .catch((err: unknown) => log.error('recording chunk unreadable', err));
    };
    this.stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
    recorder.start(TIMESLICE_MS);
  }

  /** (Re)connects the agent's current live microphone track to the mix. */
  private connectLocal(): void {
    const ctx = this.ctx;
    const dest = this.mixInput;
    const track = this.local.getAudioTracks().find((t) => t.readyState === 'live');
    if (!ctx || !dest || !track) return;
    this.localSource?.disconnect();
    this.localSource = ctx.createMediaStreamSource(new MediaStream([track]));
    this.localSource.connect(dest);
  }

  /**
   * A supervisor's voice joins or leaves the mix. Their stream plays in the monitoring leg's
   * audio element while it is heard, which Chromium needs to feed a remote track to WebAudio.
   */
  private connectSide(stream: MediaStream, present: boolean): void {
    const ctx = this.ctx;
    const dest = this.mixInput;
    if (!present || !ctx || !dest) {
      this.sideSources.get(stream)?.disconnect();
      this.sideSources.delete(stream);
      return;
    }
    if (this.sideSources.has(stream) || !stream.getAudioTracks().length || ctx.state === 'closed') return;
    const source = ctx.createMediaStreamSource(stream);
    source.connect(dest);
    this.sideSources.set(stream, source);
  }

  /** Stops recording and waits until every chunk is stored and the checksum verified. */
  async stop(): Promise<void> {
    const recorder = this.recorder;
    if (!recorder || !this.uploader) return;
    this.local.removeEventListener('addtrack', this.onLocalTrack);
    this.unwatchSide?.();
    this.unwatchSide = null;
    this.recorder = null;
    if (recorder.state !== 'inactive') recorder.stop();
    await this.stopped;
    // The final dataavailable fires before stop, but its bytes arrive asynchronously: a busy
    // machine took longer than any fixed wait, and finish() then completed a short call's
    // recording without its only chunk (seen in the bench as "chunk 0: HTTP 409").
    await this.converting;
    await this.ctx?.close().catch(() => undefined);
    try {
      await this.uploader.finish(Date.now() - this.startedAt);
    } catch (err) {
      // Whatever arrived is kept; the server closes the recording as incomplete.
      log.error('recording upload failed', err);
    }
  }
}
