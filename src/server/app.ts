/**
 * Builds the backend as a value: Fastify + Socket.IO on one HTTP server, the database
 * opened and migrated, every module registered. It never listens (server.ts does), so
 * tests drive it in-process with app.inject and a fresh database.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { Config } from './config/config.js';
import { openDatabase, type Db } from './db/database.js';
import { migrate } from './db/migrate.js';
import { AppError, registerErrorHandling } from './http/errors.js';
import type { Authenticate } from './http/route.js';
import { registerWebConsole } from './http/web-console.js';
import { AuthService } from './modules/accounts/auth-service.js';
import { GroupsService } from './modules/accounts/groups-service.js';
import { loadPrincipal, type Principal } from './modules/accounts/principal.js';
import { registerAccountRoutes } from './modules/accounts/routes.js';
import { seedFirstRun, type SeedResult } from './modules/accounts/seed.js';
import { AccessTokens } from './modules/accounts/tokens.js';
import { UsersService } from './modules/accounts/users-service.js';
import { registerSystemRoutes } from './modules/system/routes.js';
import { Realtime } from './realtime/realtime-server.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Origin of the Electron console (src/main serves the renderer on this scheme). */
export const DESKTOP_ORIGIN = 'app://desktop';

/** The repository (or install) root: the nearest folder up with our package.json. */
export function projectRoot(from = here): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'hotline-desk') return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export interface BuiltApp {
  app: FastifyInstance;
  db: Db;
  realtime: Realtime;
  seed: SeedResult;
  services: { auth: AuthService; users: UsersService; groups: GroupsService };
}

export interface BuildOptions {
  /** Seed the first admin (and demo floor) on an empty database. Default true. */
  seed?: boolean;
  /** Logger: true for pino with the configured level, false for none (tests). */
  logger?: boolean;
}

/** The signing key: from configuration, else generated once and kept in the database so every node shares it. */
async function jwtSecret(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  await db
    .insertInto('server_secret')
    .values({ name: 'jwt', value: randomBytes(48).toString('base64url') })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secret').select('value').where('name', '=', 'jwt').executeTakeFirstOrThrow();
  return row.value;
}

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<BuiltApp> {
  const root = projectRoot();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const app = Fastify({
    logger: opts.logger === false ? false : { level: config.logLevel, redact: ['req.headers.authorization', 'req.body.password'] },
    trustProxy: config.trustProxy,
    bodyLimit: 1_048_576,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);

  const { db, kind } = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, inMemory: config.inMemoryDatabase });
  try {
    const m = await migrate(db);
    if (m.applied.length) app.log.info({ applied: m.applied }, 'database migrated');
  } catch (err) {
    await db.destroy();
    throw err;
  }

  const tokens = new AccessTokens(await jwtSecret(db, config.jwtSecret), config.accessTokenTtl);
  const authenticateToken = async (token: string): Promise<Principal> => {
    const claims = await tokens.verify(token);
    return loadPrincipal(db, claims.sessionId, claims.userId);
  };
  const authenticate: Authenticate = async (req) => {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw new AppError('UNAUTHENTICATED', 'Sign in first (Authorization: Bearer <token>)');
    return authenticateToken(header.slice(7));
  };

  const realtime = new Realtime(app.server, { authenticateToken, log: app.log });
  const auth = new AuthService(db, tokens, config, (ids, reason) => realtime.endSessions(ids, reason));
  const users = new UsersService(db, auth);
  const groups = new GroupsService(db);

  // The desktop console runs at app://desktop and calls the API cross-origin; web mode is same-origin.
  await app.register(cors, {
    origin: (origin, cb) => cb(null, !origin || origin === DESKTOP_ORIGIN),
    methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type'],
    maxAge: 600,
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `Too many attempts; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
      retryAfter: Math.ceil(ctx.ttl / 1000),
    }),
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Hotline Desk API', version },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerSystemRoutes(app, { db, databaseKind: kind, siteName: config.siteName, version, demo: config.demo, authenticate });
  registerAccountRoutes(app, { db, auth, users, groups, authenticate, loginRatePerIp: config.loginRatePerIp });
  await registerWebConsole(app, resolve(config.webRoot ?? join(root, 'out/web')));

  let seed: SeedResult = { created: false, credentials: [] };
  if (opts.seed !== false) {
    const run = () =>
      seedFirstRun(db, users, groups, {
        adminPassword: config.adminPassword,
        demo: config.demo,
        credentialsFile: config.databaseUrl || config.inMemoryDatabase ? undefined : join(config.dataDir, 'first-run-credentials.txt'),
      });
    // PostgreSQL: serialise first-run seeding across nodes starting together. (PGlite is one
    // process with one session; holding its only connection here would deadlock the seed.)
    seed =
      kind === 'pglite'
        ? await run()
        : await db.connection().execute(async (conn) => {
            await sql`select pg_advisory_lock(7412346)`.execute(conn);
            try {
              return await run();
            } finally {
              await sql`select pg_advisory_unlock(7412346)`.execute(conn);
            }
          });
  }

  // Drop sockets first: open WebSockets would otherwise hold app.close() until its timeout.
  app.addHook('preClose', async () => {
    await realtime.close();
  });
  app.addHook('onClose', async () => {
    await db.destroy();
  });

  return { app, db, realtime, seed, services: { auth, users, groups } };
}
