/** An in-process backend on a fresh database, plus helpers to sign in and call it. */
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { loadConfig, type Config } from '../../src/server/config/config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const ADMIN_PASSWORD = 'Admin-pass-1';

export interface TestApp extends BuiltApp {
  config: Config;
  database: TestDatabase;
  close(): Promise<void>;
  login(username: string, password: string): Promise<{ accessToken: string; refreshToken: string; userId: string }>;
  /** app.inject with a bearer token. */
  as(token: string): Injector;
}

type InjectResponse = Awaited<ReturnType<FastifyInstance['inject']>>;
type Injector = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown) => Promise<InjectResponse>;

export async function createTestApp(overrides: Partial<Record<keyof Config, unknown>> = {}, opts: { listen?: boolean; logger?: boolean } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({}, {
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    adminPassword: ADMIN_PASSWORD,
    demo: false,
    // No SIP server unless a test asks for one (tests/harness/telephony.ts).
    sipMode: 'external',
    sipWsUrl: 'ws://127.0.0.1:5066',
    sipSecret: 'test-sip-secret-0123456789',
    ...database.config,
    ...overrides,
  });
  const built = await buildApp(config, { logger: opts.logger ?? false });
  if (opts.listen) await built.app.listen({ host: '127.0.0.1', port: 0 });
  await built.startServices();
  const as = (token: string): Injector => (method, url, body) =>
    built.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
  return {
    ...built,
    config,
    database,
    as,
    async close() {
      await built.app.close();
      await database.drop();
    },
    async login(username, password) {
      const res = await built.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
      if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
      const body = res.json<{ accessToken: string; refreshToken: string; user: { id: string } }>();
      return { accessToken: body.accessToken, refreshToken: body.refreshToken, userId: body.user.id };
    },
  };
}

export function baseUrl(app: FastifyInstance): string {
  const a = app.server.address();
  if (!a || typeof a === 'string') throw new Error('not listening');
  return `http://127.0.0.1:${a.port}`;
}
