/**
 * One scoped logger per main-process module. Main has no pino transport of its own (it would
 * need worker threads inside the bundle), so this writes scoped lines to stdout/stderr, which
 * Electron forwards to the terminal in development and which packaged builds can redirect.
 * Modules receive a `Logger` so tests can pass `silentLogger` or capture lines.
 */

export interface Logger {
  debug(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

type Level = keyof Logger;
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(scope: string, minLevel: Level = 'info'): Logger {
  const write = (level: Level) => (message: string, detail?: unknown) => {
    if (order[level] < order[minLevel]) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase()} [${scope}] ${message}`;
    const stream = order[level] >= order.warn ? process.stderr : process.stdout;
    stream.write(detail === undefined ? `${line}\n` : `${line} ${formatDetail(detail)}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function formatDetail(detail: unknown): string {
  if (detail instanceof Error) return detail.stack ?? detail.message;
  try {
    return JSON.stringify(detail);
  } catch {
    return String(detail);
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
