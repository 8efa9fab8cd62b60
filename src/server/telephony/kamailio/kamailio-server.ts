/**
 * Our managed Kamailio: renders the site's config into the run directory, validates it,
 * and keeps the daemon running under SupervisedProcess. Credential revocations live in
 * Kamailio's memory, so they are pushed again after every (re)start.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyBaseLogger } from 'fastify';
import { SupervisedProcess } from '../supervised-process.js';
import { loadKamailioTemplate, renderKamailioConfig, type KamailioSettings } from './kamailio-config.js';
import { KamailioRpc } from './kamailio-rpc.js';

const run = promisify(execFile);

/** Finds an executable on PATH (or the sbin folders Debian puts Kamailio in). */
export function findExecutable(name: string): string | null {
  if (name.includes('/')) return existsSync(name) ? name : null;
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const d of dirs) {
    const p = join(d, name);
    if (d && existsSync(p)) return p;
  }
  return null;
}

export function defaultModulesDir(): string {
  const candidates = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/aarch64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules'];
  return candidates.find((d) => existsSync(d)) ?? candidates[0]!;
}

export interface KamailioServerOptions {
  binary: string;
  templatePath: string;
  settings: KamailioSettings;
  log: FastifyBaseLogger;
  onReady: (rpc: KamailioRpc) => Promise<void>;
}

export class KamailioServer {
  readonly rpc: KamailioRpc;
  readonly process: SupervisedProcess;
  readonly configPath: string;

  constructor(private readonly o: KamailioServerOptions) {
    this.rpc = new KamailioRpc(o.settings.rpcPort);
    this.configPath = join(o.settings.runDir, 'kamailio.cfg');
    const log = o.log.child({ module: 'kamailio' });
    this.process = new SupervisedProcess({
      name: 'kamailio',
      command: o.binary,
      // -DD: foreground, -E: log to stderr; small shared/private memory fits 20 seats easily.
      args: ['-DD', '-E', '-f', this.configPath, '-m', '64', '-M', '8'],
      pidFile: join(o.settings.runDir, 'kamailio.pid'),
      log,
      probe: async () => {
        await this.rpc.call('core.version');
        return true;
      },
      onReady: () => o.onReady(this.rpc),
      levelOf: (line) => (/\b(CRITICAL|ALERT|ERROR|BUG)\b/.test(line) ? 'error' : /\bWARNING\b/.test(line) ? 'warn' : /\bDEBUG\b/.test(line) ? 'debug' : 'info'),
    });
  }

  async start(): Promise<void> {
    mkdirSync(this.o.settings.runDir, { recursive: true });
    const text = renderKamailioConfig(loadKamailioTemplate(this.o.templatePath), this.o.settings);
    writeFileSync(this.configPath, text, { mode: 0o600 });
    try {
      await run(this.o.binary, ['-c', '-f', this.configPath], { timeout: 15_000 });
    } catch (err) {
      const e = err as { stderr?: string };
      const lines = (e.stderr ?? '').split('\n').filter((l) => /ERROR|CRITICAL/.test(l)).slice(0, 5);
      throw new Error(`Kamailio rejected the rendered config ${this.configPath}:\n${lines.join('\n')}`);
    }
    await this.process.start();
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}
