import { describe, expect, it } from 'vitest';
import { alawToLinear, decodeCapture, encodeWav, readPcapRtp, SAMPLE_RATE, ulawToLinear } from './rtp-capture.js';

/** μ-law encoder (G.711 reference), for building test captures. */
function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32635, Math.min(32635, sample));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += BIAS;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  const mant = (s >> (exp + 3)) & 0x0f;
  return ~(sign | (exp << 4) | mant) & 0xff;
}

/** A pcap as rtpengine writes it with --recording-format=raw: link type 101, one IPv4/UDP/RTP packet each. */
function pcapOf(packets: { at: number; srcPort: number; ssrc: number; pt: number; seq: number; ts: number; payload: Buffer }[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(101, 20);
  const records = packets.map((p) => {
    const rtp = Buffer.alloc(12 + p.payload.length);
    rtp[0] = 0x80;
    rtp[1] = p.pt;
    rtp.writeUInt16BE(p.seq & 0xffff, 2);
    rtp.writeUInt32BE(p.ts >>> 0, 4);
    rtp.writeUInt32BE(p.ssrc, 8);
    p.payload.copy(rtp, 12);
    const ip = Buffer.alloc(28 + rtp.length);
    ip[0] = 0x45;
    ip.writeUInt16BE(ip.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    ip.writeUInt16BE(p.srcPort, 20);
    ip.writeUInt16BE(40000, 22);
    ip.writeUInt16BE(8 + rtp.length, 24);
    rtp.copy(ip, 28);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(p.at), 0);
    rec.writeUInt32LE(Math.round((p.at % 1) * 1e6), 4);
    rec.writeUInt32LE(ip.length, 8);
    rec.writeUInt32LE(ip.length, 12);
    return Buffer.concat([rec, ip]);
  });
  return Buffer.concat([header, ...records]);
}

function tonePackets(hz: number, opts: { srcPort: number; ssrc: number; start: number; tsBase: number; count: number }) {
  return Array.from({ length: opts.count }, (_v, i) => {
    const payload = Buffer.alloc(160);
    for (let n = 0; n < 160; n++) payload[n] = linearToUlaw(Math.round(8000 * Math.sin((2 * Math.PI * hz * (i * 160 + n)) / SAMPLE_RATE)));
    return { at: opts.start + i * 0.02, srcPort: opts.srcPort, ssrc: opts.ssrc, pt: 0, seq: i, ts: opts.tsBase + i * 160, payload };
  });
}

function power(samples: Int16Array, hz: number): number {
  const c = 2 * Math.cos((2 * Math.PI * hz) / SAMPLE_RATE);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x / 32768 + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / samples.length;
}

describe('server recording: rtpengine pcap → WAV', () => {
  it('decodes G.711 like the reference tables', () => {
    expect(ulawToLinear(0xff)).toBe(0);
    expect(ulawToLinear(0x00)).toBe(-32124);
    expect(ulawToLinear(0x80)).toBe(32124);
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xaa)).toBe(32256);
    for (const v of [-20000, -1000, -10, 0, 10, 1000, 20000]) expect(Math.abs(ulawToLinear(linearToUlaw(v)) - v)).toBeLessThan(Math.max(8, Math.abs(v) / 16));
  });

  it('mixes both parties on one timeline and skips RTCP and DTMF events', () => {
    const t = 1_700_000_000;
    const caller = tonePackets(440, { srcPort: 5004, ssrc: 0x1111, start: t, tsBase: 123456, count: 100 });
    // The agent starts 0.5 s later with a timestamp base near the wrap.
    const agent = tonePackets(880, { srcPort: 6006, ssrc: 0x2222, start: t + 0.5, tsBase: 0xffffff00, count: 100 });
    const dtmf = { at: t + 1, srcPort: 6006, ssrc: 0x2222, pt: 101, seq: 1, ts: 5, payload: Buffer.from([1, 0x8a, 0, 160]) };
    const packets = readPcapRtp(pcapOf([...caller, ...agent, dtmf].sort((a, b) => a.at - b.at)));
    expect(packets).toHaveLength(201);
    const out = decodeCapture(packets);
    expect(out.streams).toBe(2);
    expect(out.startedAt).toBeCloseTo(t, 3);
    // 0.5 s offset + 2 s of the agent's audio.
    expect(out.samples.length).toBe(4000 + 16000);
    const first = out.samples.subarray(0, 4000);
    const both = out.samples.subarray(4000, 16000);
    expect(power(first, 440)).toBeGreaterThan(100 * power(first, 880));
    expect(power(both, 440)).toBeGreaterThan(0.01);
    expect(power(both, 880)).toBeGreaterThan(0.01);
    expect(power(both, 1320)).toBeLessThan(power(both, 880) / 100);
  });

  it('writes a playable mono 8 kHz WAV', () => {
    const wav = encodeWav(new Int16Array([0, 1000, -1000]));
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(wav.readUInt32LE(40)).toBe(6);
    expect(wav.length).toBe(50);
  });

  it('reads nothing from an empty capture and refuses a file that is not pcap', () => {
    expect(decodeCapture(readPcapRtp(pcapOf([]))).startedAt).toBeNull();
    expect(() => readPcapRtp(Buffer.alloc(40, 1))).toThrow(/not a pcap/);
  });
});
