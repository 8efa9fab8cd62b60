/**
 * Measuring audio: tone levels in the remote audio (the test hook "does the agent hear
 * 440 Hz?"), the microphone level meter of the device check, and RTP byte counters.
 *
 * Trap (Chromium): a remote WebRTC track fed into WebAudio is silent unless the same stream
 * also plays in a media element. Every call's remote stream plays in its RemoteAudio
 * element, so analysing it here works.
 */

/** Level used for "nothing there" (no stream, silence): finite, so it survives JSON. */
export const SILENCE_DB = -200;

function newContext(): AudioContext | null {
  const Ctor = window.AudioContext as typeof AudioContext | undefined;
  return Ctor ? new Ctor() : null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * dB level (AnalyserNode scale, dBFS per FFT bin) of each frequency in the mix of the given
 * streams, averaged over `windowMs`. A clearly audible test tone reads about −20…−40 dB;
 * silence reads ≤ −100 (or SILENCE_DB).
 */
export async function toneLevels(streams: readonly MediaStream[], freqs: readonly number[], windowMs = 500): Promise<Record<number, number>> {
  const result: Record<number, number> = {};
  const live = streams.filter((s) => s.getAudioTracks().some((t) => t.readyState === 'live'));
  if (live.length === 0 || freqs.length === 0) {
    for (const f of freqs) result[f] = SILENCE_DB;
    return result;
  }
  const ctx = newContext();
  if (!ctx) throw new Error('WebAudio unavailable');
  try {
    if (ctx.state === 'suspended') await ctx.resume().catch(() => undefined);
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0;
    const sources = live.map((s) => ctx.createMediaStreamSource(s));
    for (const src of sources) src.connect(analyser);
    const bins = new Float32Array(analyser.frequencyBinCount);
    const binHz = ctx.sampleRate / analyser.fftSize;
    const sums = freqs.map(() => 0);
    let frames = 0;
    await sleep(150); // let the analyser fill one FFT window
    const end = performance.now() + windowMs;
    while (performance.now() < end) {
      analyser.getFloatFrequencyData(bins);
      freqs.forEach((f, i) => {
        const centre = Math.round(f / binHz);
        let peak = -Infinity;
        for (let b = Math.max(0, centre - 2); b <= Math.min(bins.length - 1, centre + 2); b++) peak = Math.max(peak, bins[b] ?? -Infinity);
        sums[i] = (sums[i] ?? 0) + Math.max(peak, SILENCE_DB);
      });
      frames++;
      await sleep(50);
    }
    freqs.forEach((f, i) => {
      result[f] = frames > 0 ? Math.round(((sums[i] ?? 0) / frames) * 10) / 10 : SILENCE_DB;
    });
    for (const src of sources) src.disconnect();
    return result;
  } finally {
    void ctx.close();
  }
}

/** A running RMS meter on a stream: calls `onLevel` (dBFS) about ten times a second. */
export function meterStream(stream: MediaStream, onLevel: (db: number) => void): () => void {
  const ctx = newContext();
  if (!ctx) return () => undefined;
  void ctx.resume().catch(() => undefined);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 2048;
  const src = ctx.createMediaStreamSource(stream);
  src.connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const v of buf) sum += v * v;
    const rms = Math.sqrt(sum / buf.length);
    onLevel(rms > 0 ? Math.max(SILENCE_DB, Math.round(20 * Math.log10(rms) * 10) / 10) : SILENCE_DB);
  }, 100);
  return () => {
    clearInterval(timer);
    src.disconnect();
    void ctx.close();
  };
}

export interface RtpCounters {
  bytesReceived: number;
  bytesSent: number;
  packetsReceived: number;
  packetsSent: number;
}

/** Sums audio inbound-rtp / outbound-rtp counters over the given peer connections. */
export async function rtpCounters(pcs: readonly RTCPeerConnection[]): Promise<RtpCounters> {
  const total: RtpCounters = { bytesReceived: 0, bytesSent: 0, packetsReceived: 0, packetsSent: 0 };
  for (const pc of pcs) {
    const report = await pc.getStats();
    report.forEach((s: { type?: string; kind?: string; bytesReceived?: number; bytesSent?: number; packetsReceived?: number; packetsSent?: number }) => {
      if (s.kind !== undefined && s.kind !== 'audio') return;
      if (s.type === 'inbound-rtp') {
        total.bytesReceived += s.bytesReceived ?? 0;
        total.packetsReceived += s.packetsReceived ?? 0;
      } else if (s.type === 'outbound-rtp') {
        total.bytesSent += s.bytesSent ?? 0;
        total.packetsSent += s.packetsSent ?? 0;
      }
    });
  }
  return total;
}
