/**
 * Turns rtpengine's pcap recording of a bridged call (`--recording-method=pcap`, raw IP or
 * Ethernet frames, one packet per RTP packet rtpengine received, SRTP already decrypted)
 * into the mono 8 kHz WAV we store: every G.711 stream (PCMU, PCMA) is decoded and placed
 * on one timeline by its RTP timestamps, anchored at its first packet's capture time, then
 * mixed — both parties in one track, like the softphone's recording. RTCP, DTMF events,
 * comfort noise and other codecs are skipped.
 */

export const SAMPLE_RATE = 8000;

/** ITU-T G.711 μ-law → 16-bit linear. */
export function ulawToLinear(u: number): number {
  const v = ~u & 0xff;
  let t = ((v & 0x0f) << 3) + 0x84;
  t <<= (v & 0x70) >> 4;
  return v & 0x80 ? 0x84 - t : t - 0x84;
}

/** ITU-T G.711 A-law → 16-bit linear. */
export function alawToLinear(a: number): number {
  const v = a ^ 0x55;
  let t = (v & 0x0f) << 4;
  const seg = (v & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return v & 0x80 ? t : -t;
}

const ULAW = Int16Array.from({ length: 256 }, (_v, i) => ulawToLinear(i));
const ALAW = Int16Array.from({ length: 256 }, (_v, i) => alawToLinear(i));

export interface RtpPacket {
  /** Capture time, seconds since the epoch. */
  at: number;
  /** Where it came from (the sending party) and its SSRC: one stream each. */
  source: string;
  payloadType: number;
  timestamp: number;
  payload: Buffer;
}

/** The UDP packets of a pcap file (link types raw IPv4 101/228 and Ethernet 1) parsed as RTP. */
export function readPcapRtp(pcap: Buffer): RtpPacket[] {
  if (pcap.length < 24) return [];
  const magic = pcap.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && pcap.readUInt32BE(0) !== 0xa1b2c3d4 && pcap.readUInt32BE(0) !== 0xa1b23c4d) throw new Error('not a pcap file');
  const nano = (le ? magic : pcap.readUInt32BE(0)) === 0xa1b23c4d;
  const u32 = (o: number) => (le ? pcap.readUInt32LE(o) : pcap.readUInt32BE(o));
  const linkType = u32(20);
  const out: RtpPacket[] = [];
  for (let off = 24; off + 16 <= pcap.length; ) {
    const at = u32(off) + u32(off + 4) / (nano ? 1e9 : 1e6);
    const incl = u32(off + 8);
    const frame = pcap.subarray(off + 16, Math.min(pcap.length, off + 16 + incl));
    off += 16 + incl;
    let ip = frame;
    if (linkType === 1) {
      if (frame.length < 14 || frame.readUInt16BE(12) !== 0x0800) continue;
      ip = frame.subarray(14);
    } else if (linkType !== 101 && linkType !== 228) {
      throw new Error(`pcap link type ${linkType} is not supported`);
    }
    if (ip.length < 28 || ip[0]! >> 4 !== 4 || ip[9] !== 17) continue;
    const ihl = (ip[0]! & 0x0f) * 4;
    const udp = ip.subarray(ihl);
    if (udp.length < 8 + 12) continue;
    const rtp = udp.subarray(8, Math.min(udp.length, udp.readUInt16BE(4)));
    if (rtp.length < 12 || rtp[0]! >> 6 !== 2) continue;
    const cc = rtp[0]! & 0x0f;
    let start = 12 + 4 * cc;
    if (rtp[0]! & 0x10) {
      if (rtp.length < start + 4) continue;
      start += 4 + 4 * rtp.readUInt16BE(start + 2);
    }
    let end = rtp.length;
    if (rtp[0]! & 0x20) end -= rtp[rtp.length - 1]!;
    if (end <= start) continue;
    const src = `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}:${udp.readUInt16BE(0)}`;
    out.push({ at, source: `${src}/${rtp.readUInt32BE(8)}`, payloadType: rtp[1]! & 0x7f, timestamp: rtp.readUInt32BE(4), payload: rtp.subarray(start, end) });
  }
  return out;
}

export interface DecodedCapture {
  /** Mono 16-bit PCM at SAMPLE_RATE, all parties mixed. */
  samples: Int16Array;
  /** Capture time of the first audio packet (seconds since the epoch), or null when there was none. */
  startedAt: number | null;
  /** G.711 streams found (one per party, more after a re-INVITE changed SSRC or port). */
  streams: number;
}

/** A stream whose RTP clock disagrees with the capture clock by more than this is re-anchored (sender restarted its timestamps). */
const MAX_DRIFT_SAMPLES = SAMPLE_RATE;
/** Bound on what we allocate for a single recording (4 h). */
const MAX_SAMPLES = 4 * 3600 * SAMPLE_RATE;

export function decodeCapture(packets: RtpPacket[]): DecodedCapture {
  const audio = packets.filter((p) => p.payloadType === 0 || p.payloadType === 8);
  if (!audio.length) return { samples: new Int16Array(0), startedAt: null, streams: 0 };
  let t0 = Infinity;
  for (const p of audio) t0 = Math.min(t0, p.at);
  const anchors = new Map<string, { pos: number; ts: number }>();
  const placed: { pos: number; pcm: Int16Array }[] = [];
  let length = 0;
  for (const p of audio) {
    const byArrival = Math.round((p.at - t0) * SAMPLE_RATE);
    let a = anchors.get(p.source);
    let pos = a ? a.pos + ((p.timestamp - a.ts) | 0) : byArrival;
    if (!a || Math.abs(pos - byArrival) > MAX_DRIFT_SAMPLES) {
      a = { pos: byArrival, ts: p.timestamp };
      anchors.set(p.source, a);
      pos = byArrival;
    }
    if (pos < 0 || pos + p.payload.length > MAX_SAMPLES) continue;
    const table = p.payloadType === 0 ? ULAW : ALAW;
    const pcm = new Int16Array(p.payload.length);
    for (let i = 0; i < pcm.length; i++) pcm[i] = table[p.payload[i]!]!;
    placed.push({ pos, pcm });
    length = Math.max(length, pos + pcm.length);
  }
  const mix = new Int32Array(length);
  for (const { pos, pcm } of placed) for (let i = 0; i < pcm.length; i++) mix[pos + i] = mix[pos + i]! + pcm[i]!;
  const samples = new Int16Array(length);
  for (let i = 0; i < length; i++) samples[i] = Math.max(-32768, Math.min(32767, mix[i]!));
  return { samples, startedAt: t0, streams: anchors.size };
}

/** A mono 16-bit PCM WAV file. */
export function encodeWav(samples: Int16Array, sampleRate = SAMPLE_RATE): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
