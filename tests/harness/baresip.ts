/**
 * baresip (Debian `baresip-core`) as a scripted plain-RTP caller on loopback: the citizen on
 * a trunk. It plays a tone file (8 kHz mono 16-bit: baresip 1.0 does not resample), speaks
 * PCMU only, and records what it hears with the sndfile module (dump-*-dec.wav), so a test
 * can check both directions of a bridged call. BARESIP_VERBOSE=1 adds its debug lines (SDP
 * updates, SSRC changes, where RTP comes from) to output().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BARESIP_MODULES = '/usr/lib/baresip/modules';
export const haveBaresip = (): boolean => existsSync('/usr/bin/baresip') && existsSync(join(BARESIP_MODULES, 'sndfile.so'));

export interface BaresipCall {
  proc: ChildProcess;
  dir: string;
  /** baresip's console output so far. */
  output(): string;
  /** Resolves when baresip prints a line matching `re`. */
  waitFor(re: RegExp, timeoutMs: number): Promise<number>;
  exited: Promise<number | null>;
  kill(): void;
  /** Presses a key in the call (RFC 4733 telephone-event), through baresip's ctrl_tcp command socket. */
  sendDigit(digit: string): Promise<void>;
  /**
   * Everything baresip received and decoded (mono 16-bit PCM), its sndfile dumps joined in
   * order. sndfile opens a new dump at every audio start: early media (183) and the answer
   * (200 OK) of one call are two dumps, as are two calls (a transfer).
   */
  received(): { sampleRate: number; samples: Int16Array };
  /** Each dump on its own, oldest first: one per audio start (a call, early media then its answer). */
  receivedAll(): { sampleRate: number; samples: Int16Array }[];
}

function toneWav8k(dir: string, hz: number, seconds: number): string {
  const file = join(dir, `sine-${hz}-8k.wav`);
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', file, 'synth', String(seconds), 'sine', String(hz), 'vol', '0.5']);
  return file;
}

/** Starts baresip listening on 127.0.0.1:`sipPort` as `number`, dialling `target` (a SIP URI) at once. */
export function baresipDial(opts: { sipPort: number; number: string; target: string; toneHz: number; seconds: number; proxy?: string; ctrlPort?: number }): BaresipCall {
  return startBaresip({ ...opts, dial: opts.target });
}

/**
 * Starts baresip as a citizen's phone on 127.0.0.1:`sipPort` that answers every call at once
 * (the trunk's far end for callbacks). With `proxy` (sip:host:port of our SIP server) it
 * sends new requests there, e.g. the INVITE a REFER (blind transfer) makes it send.
 */
export function baresipAnswer(opts: { sipPort: number; number: string; toneHz: number; seconds: number; proxy?: string }): BaresipCall {
  return startBaresip({ ...opts, dial: null });
}

function startBaresip(opts: { sipPort: number; number: string; dial: string | null; toneHz: number; seconds: number; proxy?: string | undefined; ctrlPort?: number | undefined }): BaresipCall {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-baresip-'));
  const tone = toneWav8k(dir, opts.toneHz, opts.seconds + 5);
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${opts.sipPort}`,
      'net_interface 127.0.0.1',
      `audio_source aufile,${tone}`,
      'audio_player alsa,null',
      'audio_alert alsa,null',
      'audio_srate 8000',
      'audio_channels 1',
      `module_path ${BARESIP_MODULES}`,
      'module g711.so',
      'module aufile.so',
      'module alsa.so',
      'module sndfile.so',
      `snd_path ${dir}`,
      'module_app account.so',
      'module_app menu.so',
      // A command socket (JSON netstrings) to press keys in the call: sendDigit.
      ...(opts.ctrlPort ? ['module_app ctrl_tcp.so', `ctrl_tcp_listen 127.0.0.1:${opts.ctrlPort}`] : []),
      '',
    ].join('\n'),
  );
  const params = ['regint=0', 'audio_codecs=PCMU', ...(opts.dial ? [] : ['answermode=auto']), ...(opts.proxy ? [`outbound="${opts.proxy}"`] : [])];
  writeFileSync(join(dir, 'accounts'), `<sip:${opts.number}@127.0.0.1>;${params.join(';')}\n`);
  const proc = spawn('baresip', ['-f', dir, ...(process.env.BARESIP_VERBOSE ? ['-v'] : []), ...(opts.dial ? ['-e', `/dial ${opts.dial}`] : []), '-t', String(opts.seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { re: RegExp; resolve: (t: number) => void }[] = [];
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const w of [...waiters]) {
      if (w.re.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(performance.now());
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return {
    proc,
    dir,
    output: () => out,
    waitFor: (re, timeoutMs) =>
      re.test(out)
        ? Promise.resolve(performance.now())
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`baresip did not print ${re} within ${timeoutMs} ms; output:\n${out}`)), timeoutMs);
            waiters.push({ re, resolve: (t) => (clearTimeout(timer), resolve(t)) });
          }),
    exited,
    kill: () => proc.kill('SIGTERM'),
    sendDigit: (digit) => {
      if (!opts.ctrlPort) return Promise.reject(new Error('baresipDial without ctrlPort cannot send keys'));
      const port = opts.ctrlPort;
      const once = (): Promise<void> => new Promise((resolve, reject) => {
        // ctrl_tcp speaks JSON in netstrings; "sndcode" is the menu's send-a-key command.
        const json = JSON.stringify({ command: 'sndcode', params: digit, token: `k${Date.now()}` });
        const sock = connect(port, '127.0.0.1', () => sock.write(`${Buffer.byteLength(json)}:${json},`));
        let reply = '';
        sock.on('data', (b) => {
          reply += b.toString();
          if (/"response"\s*:\s*true/.test(reply)) {
            sock.end();
            resolve();
          }
        });
        sock.on('error', reject);
        setTimeout(() => {
          sock.destroy();
          reject(new Error(`baresip did not confirm key ${digit}: ${reply}`));
        }, 3000);
      });
      // Its command socket may open a moment after the call started on a busy machine.
      const attempt = (n: number): Promise<void> => once().catch((err: unknown) => (n > 0 ? new Promise((r) => setTimeout(r, 200)).then(() => attempt(n - 1)) : Promise.reject(err)));
      return attempt(10);
    },
    received: () => {
      // Dumps are named by their start time to the second: sorting keeps their order.
      const parts = readdirSync(dir).filter((n) => /^dump-.*-dec\.wav$/.test(n)).sort().map((f) => readPcmWav(join(dir, f)));
      if (!parts.length) throw new Error(`baresip recorded nothing in ${dir}; output:\n${out}`);
      const samples = new Int16Array(parts.reduce((n, p) => n + p.samples.length, 0));
      let at = 0;
      for (const p of parts) {
        samples.set(p.samples, at);
        at += p.samples.length;
      }
      return { sampleRate: parts[0]!.sampleRate, samples };
    },
    receivedAll: () => readdirSync(dir).filter((n) => /^dump-.*-dec\.wav$/.test(n)).sort().map((f) => readPcmWav(join(dir, f))),
  };
}

/** A 16-bit PCM WAV's first channel. */
export function readPcmWav(file: string): { sampleRate: number; samples: Int16Array } {
  const b = readFileSync(file);
  let off = 12;
  let sampleRate = 0;
  let channels = 1;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    let size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      channels = b.readUInt16LE(off + 10);
      sampleRate = b.readUInt32LE(off + 12);
    } else if (id === 'data') {
      // A dump cut short (killed writer) may carry a 0 or oversized length: take what is there.
      if (size === 0 || off + 8 + size > b.length) size = b.length - off - 8;
      const all = new Int16Array(b.buffer.slice(b.byteOffset + off + 8, b.byteOffset + off + 8 + (size & ~1)));
      const samples = channels === 1 ? all : all.filter((_v, i) => i % channels === 0);
      return { sampleRate, samples };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

/** Relative power of a frequency in PCM samples (Goertzel), normalised to full scale. */
export function tonePower(samples: Int16Array, sampleRate: number, hz: number): number {
  const w = (2 * Math.PI * hz) / sampleRate;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = samples[i]! / 32768 + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / Math.max(1, samples.length);
}
