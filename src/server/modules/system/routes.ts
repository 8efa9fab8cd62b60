/** Liveness, readiness and site info. */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { systemRoutes as r } from '../../../shared/api/system.js';
import type { Db } from '../../db/database.js';
import { migrationStatus } from '../../db/migrate.js';
import { AppError } from '../../http/errors.js';
import { bindRoute, type Authenticate } from '../../http/route.js';

export interface SystemDeps {
  db: Db;
  databaseKind: string;
  siteName: string;
  version: string;
  demo: boolean;
  sipWebSocketUrls: string[];
  authenticate: Authenticate;
}

export function registerSystemRoutes(app: FastifyInstance, d: SystemDeps): void {
  bindRoute(app, r.healthz, d.authenticate, () => ({ status: 'ok' as const }));
  bindRoute(app, r.readyz, d.authenticate, async () => {
    try {
      await sql`select 1`.execute(d.db);
      const m = await migrationStatus(d.db);
      if (m.pending > 0) throw new AppError('UNAVAILABLE', `${m.pending} migration(s) pending`);
      return { status: 'ready' as const, database: d.databaseKind, migrations: m.applied };
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('UNAVAILABLE', `Database unreachable: ${(err as Error).message}`);
    }
  });
  bindRoute(app, r.site, d.authenticate, () => ({
    name: d.siteName,
    version: d.version,
    demo: d.demo,
    serverTime: new Date().toISOString(),
    sipWebSocketUrls: d.sipWebSocketUrls,
  }));
}
