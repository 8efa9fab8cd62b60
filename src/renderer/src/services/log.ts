/**
 * Scoped logger for the renderer: one per module, never bare `console`.
 * Kept trivial on purpose; a later change can forward warnings to the server or main.
 */
export interface Logger {
  debug(msg: string, extra?: unknown): void;
  info(msg: string, extra?: unknown): void;
  warn(msg: string, extra?: unknown): void;
  error(msg: string, extra?: unknown): void;
}

export function createLogger(scope: string): Logger {
  const prefix = `[${scope}]`;
  const emit = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, extra: unknown): void => {
    if (extra === undefined) console[level](prefix, msg);
    else console[level](prefix, msg, extra);
  };
  return {
    debug: (m, e) => emit('debug', m, e),
    info: (m, e) => emit('info', m, e),
    warn: (m, e) => emit('warn', m, e),
    error: (m, e) => emit('error', m, e),
  };
}
