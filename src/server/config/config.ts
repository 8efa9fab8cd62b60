/**
 * Server configuration: read from the environment (HOTLINE_* and DATABASE_URL) over an
 * optional JSON file (HOTLINE_CONFIG_FILE), validated once at start. A bad value stops
 * the server with a message naming the key, never a half-configured process.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const bool = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no'])]).transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');
const seconds = (def: number) => z.coerce.number().int().positive().default(def);

export const ConfigSchema = z.object({
  host: z.string().min(1).default('0.0.0.0'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Public URL seats use, printed at start; derived from host/port when absent. */
  publicUrl: z.url().optional(),
  siteName: z.string().min(1).default('12345 政务服务便民热线'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** PostgreSQL connection string; when absent the embedded PGlite in dataDir is used. */
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional(),
  dataDir: z.string().min(1).default('./data'),
  /** PGlite only: keep the database in memory (tests). */
  inMemoryDatabase: bool.default(false),
  /** HS256 key for access tokens, ≥ 32 chars. Generated into dataDir when absent. */
  jwtSecret: z.string().min(32, 'must be at least 32 characters').optional(),
  accessTokenTtl: seconds(15 * 60),
  refreshTokenTtl: seconds(12 * 60 * 60),
  /** A session ends after this however often it is refreshed (one long shift). */
  sessionMaxAge: seconds(24 * 60 * 60),
  loginMaxFailures: z.coerce.number().int().min(1).default(5),
  loginLockout: seconds(15 * 60),
  /** Sign-in attempts per client IP per minute, before 429. */
  loginRatePerIp: z.coerce.number().int().min(1).default(30),
  /** First admin's password; generated and printed once when absent. */
  adminPassword: z.string().min(8).optional(),
  /** Seed demo accounts and reference data on a fresh database. Turn off for production sites. */
  demo: bool.default(true),
  /** Directory of the built web console; served at '/'. */
  webRoot: z.string().optional(),
  trustProxy: bool.default(false),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Environment variable for each key (DATABASE_URL keeps its conventional name). */
export const envNames: Record<keyof Config, string> = {
  host: 'HOTLINE_HOST',
  port: 'HOTLINE_PORT',
  publicUrl: 'HOTLINE_PUBLIC_URL',
  siteName: 'HOTLINE_SITE_NAME',
  logLevel: 'HOTLINE_LOG_LEVEL',
  databaseUrl: 'DATABASE_URL',
  dataDir: 'HOTLINE_DATA_DIR',
  inMemoryDatabase: 'HOTLINE_IN_MEMORY_DB',
  jwtSecret: 'HOTLINE_JWT_SECRET',
  accessTokenTtl: 'HOTLINE_ACCESS_TOKEN_TTL',
  refreshTokenTtl: 'HOTLINE_REFRESH_TOKEN_TTL',
  sessionMaxAge: 'HOTLINE_SESSION_MAX_AGE',
  loginMaxFailures: 'HOTLINE_LOGIN_MAX_FAILURES',
  loginLockout: 'HOTLINE_LOGIN_LOCKOUT',
  loginRatePerIp: 'HOTLINE_LOGIN_RATE_PER_IP',
  adminPassword: 'HOTLINE_ADMIN_PASSWORD',
  demo: 'HOTLINE_DEMO',
  webRoot: 'HOTLINE_WEB_ROOT',
  trustProxy: 'HOTLINE_TRUST_PROXY',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Merge file < environment < overrides and validate. Throws ConfigError naming the key
 * (as the environment variable, which is how operators set it).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<keyof Config, unknown>> = {}): Config {
  let fromFile: Record<string, unknown> = {};
  const file = env.HOTLINE_CONFIG_FILE;
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`HOTLINE_CONFIG_FILE: cannot read ${file}: ${(err as Error).message}`);
    }
    const unknownKeys = Object.keys(fromFile).filter((k) => !(k in envNames));
    if (unknownKeys.length) throw new ConfigError(`HOTLINE_CONFIG_FILE: unknown key(s) ${unknownKeys.join(', ')}`);
  }
  const raw: Record<string, unknown> = { ...fromFile };
  for (const [key, name] of Object.entries(envNames)) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  Object.assign(raw, overrides);
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const name = envNames[key as keyof Config] ?? key;
      const got = raw[key];
      const shown = key === 'jwtSecret' || key === 'adminPassword' || key === 'databaseUrl' ? '(hidden)' : JSON.stringify(got);
      return `${name}: ${i.message} (got ${shown})`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}
