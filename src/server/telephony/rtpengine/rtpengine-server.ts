/**
 * Our managed rtpengine (the media bridge between plain-RTP trunks and WebRTC agents):
 * Debian's `rtpengine-daemon` binary run in userspace mode (no kernel module, no iptables)
 * as a supervised child, controlled only over its ng port on loopback. `--config-file=none`
 * keeps it from reading /etc/rtpengine/rtpengine.conf, which would open more ports.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { SupervisedProcess } from '../supervised-process.js';
import { RtpengineNgClient } from './ng-client.js';

export interface RtpengineSettings {
  /** Address media is bridged on (the interface both trunks and agents reach). */
  interface: string;
  /** Loopback port of the ng control protocol (Kamailio's rtpengine module and us). */
  ngPort: number;
  portMin: number;
  portMax: number;
  runDir: string;
  logLevel: number;
  /**
   * Server-side recording: calls asked to record (ng `start recording`) are written here as
   * pcap (one file per call under pcaps/, its metadata moved into metadata/ when the call is
   * released). The `proc` method would need the kernel module.
   */
  recordingDir?: string | undefined;
  /** host:port where rtpengine reports every RFC 4733 key callers press (JSON datagrams): the voice service's menu. */
  dtmfLogDest?: string | undefined;
}

export function rtpengineArgs(s: RtpengineSettings): string[] {
  if (!/^[0-9.]+$/.test(s.interface)) throw new Error(`rtpengine interface must be an IPv4 address, got ${JSON.stringify(s.interface)}`);
  if (!(s.portMin > 0 && s.portMax > s.portMin && s.portMax <= 65535)) throw new Error(`rtpengine port range ${s.portMin}-${s.portMax} is not valid`);
  return [
    '--config-file=none',
    '--table=-1',
    `--interface=${s.interface}`,
    `--listen-ng=127.0.0.1:${s.ngPort}`,
    `--port-min=${s.portMin}`,
    `--port-max=${s.portMax}`,
    // Two cores: one media thread per core; sessions without media for this long are dropped.
    '--num-threads=2',
    '--timeout=60',
    // Released sessions go at once (default 30 s), so the session count shows leaks.
    '--delete-delay=0',
    '--silent-timeout=3600',
    '--foreground',
    '--log-stderr',
    `--log-level=${s.logLevel}`,
    ...(s.dtmfLogDest ? [`--dtmf-log-dest=${s.dtmfLogDest}`] : []),
    ...(s.recordingDir ? [`--recording-dir=${s.recordingDir}`, '--recording-method=pcap', '--recording-format=raw'] : []),
  ];
}

export class RtpengineServer {
  readonly ng: RtpengineNgClient;
  readonly process: SupervisedProcess;

  constructor(
    binary: string,
    private readonly settings: RtpengineSettings,
    log: FastifyBaseLogger,
  ) {
    this.ng = new RtpengineNgClient('127.0.0.1', settings.ngPort, 1000);
    this.process = new SupervisedProcess({
      name: 'rtpengine',
      command: binary,
      args: rtpengineArgs(settings),
      pidFile: join(settings.runDir, 'rtpengine.pid'),
      log: log.child({ module: 'rtpengine' }),
      probe: () => this.ng.ping(),
      levelOf: (line) => (/\b(CRIT|ERR|ALERT|EMERG)\b/.test(line) ? 'error' : /\bWARNING\b/.test(line) ? 'warn' : /\bDEBUG\b/.test(line) ? 'debug' : 'info'),
    });
  }

  /** Where it writes call recordings (server-side recording), when enabled. */
  get recordingDir(): string | undefined {
    return this.settings.recordingDir;
  }

  /** Kamailio's rtpengine_sock for this instance. */
  get ngAddress(): string {
    return `udp:127.0.0.1:${this.settings.ngPort}`;
  }

  async start(): Promise<void> {
    mkdirSync(this.settings.runDir, { recursive: true });
    if (this.settings.recordingDir) mkdirSync(this.settings.recordingDir, { recursive: true });
    await this.process.start();
  }

  async stop(): Promise<void> {
    await this.process.stop();
    this.ng.close();
  }
}
