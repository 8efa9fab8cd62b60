/**
 * Runs a telephony daemon (Kamailio, later rtpengine) as our child: waits until it is
 * ready, restarts it with backoff when it dies, forwards its log lines into ours, and
 * clears a stale instance left behind by a previous crash of this backend.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { FastifyBaseLogger } from 'fastify';

export interface SupervisedProcessOptions {
  name: string;
  command: string;
  args: string[];
  pidFile: string;
  log: FastifyBaseLogger;
  /** Resolves once the daemon answers; called repeatedly until it does or times out. */
  probe: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** Called after every (re)start once ready, e.g. to re-push runtime state. */
  onReady?: () => Promise<void>;
  /** Maps a log line to a level. */
  levelOf?: (line: string) => 'error' | 'warn' | 'info' | 'debug';
}

export type ProcessState = 'stopped' | 'starting' | 'running' | 'restarting';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SupervisedProcess {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restarts = 0;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  state: ProcessState = 'stopped';
  /** Number of unexpected exits so far (for health reports and tests). */
  crashes = 0;

  constructor(private readonly o: SupervisedProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.killStale();
    this.state = 'starting';
    this.spawnChild();
    try {
      await this.waitReady();
    } catch (err) {
      // A daemon that never came up is not left restarting in the background.
      await this.stop();
      throw err;
    }
  }

  private killStale(): void {
    if (!existsSync(this.o.pidFile)) return;
    const pid = Number(readFileSync(this.o.pidFile, 'utf8').trim());
    if (pid > 0) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline.includes(this.o.command)) {
          process.kill(-pid, 'SIGKILL');
          this.o.log.warn({ pid }, `${this.o.name}: killed a stale instance left by a previous run`);
        }
      } catch {
        // Not running any more.
      }
    }
    rmSync(this.o.pidFile, { force: true });
  }

  private spawnChild(): void {
    const child = spawn(this.o.command, this.o.args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    this.startedAt = Date.now();
    if (child.pid) writeFileSync(this.o.pidFile, String(child.pid));
    const forward = (stream: NodeJS.ReadableStream) =>
      createInterface({ input: stream }).on('line', (line) => {
        if (!line.trim()) return;
        const level = this.o.levelOf?.(line) ?? 'info';
        this.o.log[level]({ daemon: this.o.name }, line);
      });
    if (child.stdout) forward(child.stdout);
    if (child.stderr) forward(child.stderr);
    child.on('error', (err) => this.o.log.error({ err }, `${this.o.name}: failed to start`));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.stopping) return;
      this.crashes++;
      // Back off 0.5 s, 1 s, 2 s … 15 s; a run that lasted a minute resets the ladder.
      if (Date.now() - this.startedAt > 60_000) this.restarts = 0;
      const delay = Math.min(15_000, 500 * 2 ** this.restarts++);
      this.state = 'restarting';
      this.o.log.error({ code, signal, restartInMs: delay }, `${this.o.name} exited unexpectedly; restarting`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this.stopping) return;
        this.spawnChild();
        this.waitReady().catch((err: unknown) => this.o.log.error({ err }, `${this.o.name}: not ready after restart`));
      }, delay);
    });
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + (this.o.readyTimeoutMs ?? 10_000);
    const child = this.child;
    while (Date.now() < deadline) {
      if (this.stopping || !child || child.exitCode !== null || child.signalCode !== null) break;
      if (await this.o.probe().catch(() => false)) {
        this.state = 'running';
        await this.o.onReady?.().catch((err: unknown) => this.o.log.error({ err }, `${this.o.name}: onReady failed`));
        return;
      }
      await sleep(100);
    }
    throw new Error(`${this.o.name} did not become ready`);
  }

  /** Simulates a crash (tests, chaos drills): SIGKILL, then the supervisor restarts it. */
  kill(): void {
    if (this.child?.pid) process.kill(-this.child.pid, 'SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    this.state = 'stopped';
    if (!child?.pid) {
      rmSync(this.o.pidFile, { force: true });
      return;
    }
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timeout = sleep(5000).then(() => 'timeout' as const);
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
      await exited;
    }
    rmSync(this.o.pidFile, { force: true });
  }
}
