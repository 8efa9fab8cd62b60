/** HTTP bindings of the accounts contracts (src/shared/api/accounts.ts). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accountRoutes as r } from '../../../shared/api/accounts.js';
import { AppError } from '../../http/errors.js';
import { bindRoute, type Authenticate } from '../../http/route.js';
import { listAudit } from '../audit/audit-log.js';
import type { Db } from '../../db/database.js';
import type { AuthService, ClientInfo } from './auth-service.js';
import type { GroupsService } from './groups-service.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { toCurrentUser, type Principal } from './principal.js';
import type { UsersService } from './users-service.js';
import { recordAudit } from '../audit/audit-log.js';

export interface AccountsDeps {
  db: Db;
  auth: AuthService;
  users: UsersService;
  groups: GroupsService;
  authenticate: Authenticate;
  loginRatePerIp: number;
  /** Before a logout ends the session: the agent console's session 签出s (may refuse: on a call). */
  beforeLogout?(p: Principal, opts: { keepAgentSignedIn: boolean }): Promise<void>;
}

export function clientOf(req: FastifyRequest): ClientInfo {
  return { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null };
}

export function registerAccountRoutes(app: FastifyInstance, d: AccountsDeps): void {
  const { authenticate } = d;
  // Per-IP throttle on sign-in, on top of the per-account lockout in AuthService.
  const loginLimit = { rateLimit: { max: d.loginRatePerIp, timeWindow: '1 minute' } };

  bindRoute(app, r.login, authenticate, ({ body, req }) => d.auth.login(body.username, body.password, clientOf(req)), { config: loginLimit });
  bindRoute(app, r.refresh, authenticate, ({ body, req }) => d.auth.refresh(body.refreshToken, clientOf(req)), { config: loginLimit });
  bindRoute(app, r.logout, authenticate, async ({ principal, req, query }) => {
    await d.beforeLogout?.(principal, { keepAgentSignedIn: query.keepAgentSignedIn === 'true' });
    await d.auth.logout(principal, clientOf(req));
    return null;
  });
  bindRoute(app, r.me, authenticate, ({ principal }) => toCurrentUser(principal));
  bindRoute(app, r.changeOwnPassword, authenticate, async ({ principal, body, req }) => {
    const row = await d.db.selectFrom('app_user').select('password_hash').where('id', '=', principal.userId).executeTakeFirstOrThrow();
    if (!(await verifyPassword(row.password_hash, body.currentPassword))) {
      throw new AppError('VALIDATION_FAILED', 'Current password is wrong', { issues: [{ path: 'currentPassword', message: '当前密码不正确' }] });
    }
    const hash = await hashPassword(body.newPassword);
    const ended = await d.db.transaction().execute(async (tx) => {
      await tx.updateTable('app_user').set({ password_hash: hash, updated_at: new Date() }).where('id', '=', principal.userId).execute();
      await recordAudit(tx, { actorId: principal.userId, actorName: principal.username, action: 'user.password_changed', ip: req.ip, targetType: 'user', targetId: principal.userId });
      return d.auth.endUserSessions(tx, principal.userId, 'password_reset', principal.sessionId);
    });
    d.auth.notifyEnded(ended, 'password_reset');
    return null;
  });

  bindRoute(app, r.listUsers, authenticate, async () => ({ items: await d.users.list() }));
  bindRoute(app, r.createUser, authenticate, ({ body, principal, req }) => d.users.create(body, principal, req.ip));
  bindRoute(app, r.updateUser, authenticate, ({ params, body, principal, req }) => d.users.update(params.id, body, principal, req.ip));
  bindRoute(app, r.resetPassword, authenticate, async ({ params, body, principal, req }) => {
    await d.users.resetPassword(params.id, body.password, principal, req.ip);
    return null;
  });
  bindRoute(app, r.listSessions, authenticate, async ({ params }) => ({ items: await d.users.sessions(params.id) }));
  bindRoute(app, r.revokeSessions, authenticate, async ({ params, principal, req }) => {
    await d.users.revokeSessions(params.id, principal, req.ip);
    return null;
  });

  bindRoute(app, r.listGroups, authenticate, async () => ({ items: await d.groups.list() }));
  bindRoute(app, r.createGroup, authenticate, ({ body, principal, req }) => d.groups.upsert(null, body, principal, req.ip));
  bindRoute(app, r.updateGroup, authenticate, ({ params, body, principal, req }) => d.groups.upsert(params.id, body, principal, req.ip));

  bindRoute(app, r.listAudit, authenticate, async ({ query }) => ({ items: await listAudit(d.db, query) }));
}
