/**
 * Sign-in, token refresh and sign-out. Owns the lockout rule (N consecutive failures lock
 * an account for a while), refresh-token rotation with reuse detection, and ending
 * sessions, which the realtime layer turns into live sign-outs.
 */
import { sql } from 'kysely';
import type { SessionTokens } from '../../../shared/api/accounts.js';
import type { SessionEndReason } from '../../../shared/realtime.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/audit-log.js';
import { verifyPassword } from './passwords.js';
import { loadPrincipal, toCurrentUser, type Principal } from './principal.js';
import { hashRefreshToken, newRefreshToken, type AccessTokens } from './tokens.js';

export interface AuthPolicy {
  refreshTokenTtl: number;
  sessionMaxAge: number;
  loginMaxFailures: number;
  loginLockout: number;
}

/** Told when sessions end so connected consoles are signed out at once. */
export type SessionsEnded = (sessionIds: string[], reason: SessionEndReason) => void;

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly tokens: AccessTokens,
    private readonly policy: AuthPolicy,
    private readonly sessionsEnded: SessionsEnded,
  ) {}

  async login(username: string, password: string, client: ClientInfo): Promise<SessionTokens> {
    const user = await this.db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
    const now = new Date();
    if (user?.locked_until && user.locked_until > now) {
      const retryAfter = Math.ceil((user.locked_until.getTime() - now.getTime()) / 1000);
      await recordAudit(this.db, {
        actorId: user.id, actorName: user.username, action: 'auth.login_failed', ip: client.ip,
        targetType: 'user', targetId: user.id, detail: { reason: 'locked' },
      });
      throw new AppError('ACCOUNT_LOCKED', 'Account is locked after repeated failed sign-ins', { retryAfter });
    }
    const ok = await verifyPassword(user?.password_hash ?? null, password);
    if (!user || !ok) {
      await this.recordFailure(username, user?.id ?? null, client);
      throw new AppError('INVALID_CREDENTIALS', 'Wrong username or password');
    }
    if (user.disabled) {
      await recordAudit(this.db, {
        actorId: user.id, actorName: user.username, action: 'auth.login_failed', ip: client.ip,
        targetType: 'user', targetId: user.id, detail: { reason: 'disabled' },
      });
      throw new AppError('ACCOUNT_DISABLED', 'This account is disabled');
    }
    const refreshToken = newRefreshToken();
    const sessionId = await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('app_user')
        .set({ failed_logins: 0, locked_until: null, last_login_at: now })
        .where('id', '=', user.id)
        .execute();
      const session = await tx
        .insertInto('auth_session')
        .values({
          user_id: user.id,
          last_seen_at: now,
          expires_at: new Date(now.getTime() + this.policy.sessionMaxAge * 1000),
          ip: client.ip,
          user_agent: client.userAgent?.slice(0, 300) ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('refresh_token')
        .values({
          token_hash: hashRefreshToken(refreshToken),
          session_id: session.id,
          expires_at: new Date(now.getTime() + this.policy.refreshTokenTtl * 1000),
        })
        .execute();
      await recordAudit(tx, {
        actorId: user.id, actorName: user.username, action: 'auth.login', ip: client.ip,
        targetType: 'session', targetId: session.id,
      });
      return session.id;
    });
    return this.tokensFor(await loadPrincipal(this.db, sessionId, user.id), refreshToken);
  }

  private async recordFailure(username: string, userId: string | null, client: ClientInfo): Promise<void> {
    if (!userId) {
      await recordAudit(this.db, {
        actorId: null, actorName: username.slice(0, 64), action: 'auth.login_failed', ip: client.ip,
        detail: { reason: 'unknown_user' },
      });
      return;
    }
    await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('app_user')
        .set({ failed_logins: sql`failed_logins + 1` })
        .where('id', '=', userId)
        .returning(['failed_logins', 'username'])
        .executeTakeFirstOrThrow();
      await recordAudit(tx, {
        actorId: userId, actorName: row.username, action: 'auth.login_failed', ip: client.ip,
        targetType: 'user', targetId: userId, detail: { reason: 'bad_password', consecutive: row.failed_logins },
      });
      if (row.failed_logins >= this.policy.loginMaxFailures) {
        const until = new Date(Date.now() + this.policy.loginLockout * 1000);
        await tx.updateTable('app_user').set({ locked_until: until, failed_logins: 0 }).where('id', '=', userId).execute();
        await recordAudit(tx, {
          actorId: null, actorName: null, action: 'auth.locked', ip: client.ip,
          targetType: 'user', targetId: userId, detail: { until: until.toISOString(), failures: row.failed_logins },
        });
      }
    });
  }

  async refresh(refreshToken: string, client: ClientInfo): Promise<SessionTokens> {
    const tokenHash = hashRefreshToken(refreshToken);
    const now = new Date();
    const outcome = await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('refresh_token as r')
        .innerJoin('auth_session as s', 's.id', 'r.session_id')
        .select(['r.session_id', 'r.used_at', 'r.expires_at', 's.user_id', 's.revoked_at', 's.expires_at as session_expires_at'])
        .where('r.token_hash', '=', tokenHash)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return { kind: 'invalid' as const };
      if (row.used_at) {
        // A rotated token came back: someone holds a copy. End the session for both holders.
        await tx.updateTable('auth_session').set({ revoked_at: now, revoked_reason: 'refresh_reuse' })
          .where('id', '=', row.session_id).where('revoked_at', 'is', null).execute();
        await recordAudit(tx, {
          actorId: row.user_id, actorName: null, action: 'session.refresh_reuse', ip: client.ip,
          targetType: 'session', targetId: row.session_id,
        });
        return { kind: 'reused' as const, sessionId: row.session_id };
      }
      if (row.revoked_at || row.expires_at <= now || row.session_expires_at <= now) return { kind: 'ended' as const };
      const next = newRefreshToken();
      await tx.updateTable('refresh_token').set({ used_at: now }).where('token_hash', '=', tokenHash).execute();
      await tx
        .insertInto('refresh_token')
        .values({
          token_hash: hashRefreshToken(next),
          session_id: row.session_id,
          expires_at: new Date(Math.min(now.getTime() + this.policy.refreshTokenTtl * 1000, row.session_expires_at.getTime())),
        })
        .execute();
      await tx.updateTable('auth_session').set({ last_seen_at: now, ip: client.ip }).where('id', '=', row.session_id).execute();
      return { kind: 'ok' as const, sessionId: row.session_id, userId: row.user_id, next };
    });
    switch (outcome.kind) {
      case 'invalid':
        throw new AppError('UNAUTHENTICATED', 'Unknown refresh token');
      case 'reused':
        this.sessionsEnded([outcome.sessionId], 'revoked');
        throw new AppError('SESSION_REVOKED', 'Refresh token was already used; the session has been ended');
      case 'ended':
        throw new AppError('SESSION_REVOKED', 'This session has ended; sign in again');
      case 'ok':
        return this.tokensFor(await loadPrincipal(this.db, outcome.sessionId, outcome.userId), outcome.next);
    }
  }

  async logout(p: Principal, client: ClientInfo): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('auth_session').set({ revoked_at: new Date(), revoked_reason: 'logout' })
        .where('id', '=', p.sessionId).where('revoked_at', 'is', null).execute();
      await recordAudit(tx, {
        actorId: p.userId, actorName: p.username, action: 'auth.logout', ip: client.ip,
        targetType: 'session', targetId: p.sessionId,
      });
    });
    this.sessionsEnded([p.sessionId], 'logout');
  }

  /**
   * Ends every live session of a user (admin revoke, password reset, disabling). Runs in the
   * caller's transaction when given; the live sign-out is pushed by the caller after commit
   * via the returned ids.
   */
  async endUserSessions(db: Db, userId: string, reason: SessionEndReason, exceptSessionId?: string): Promise<string[]> {
    let q = db
      .updateTable('auth_session')
      .set({ revoked_at: new Date(), revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (exceptSessionId) q = q.where('id', '!=', exceptSessionId);
    const rows = await q.returning('id').execute();
    return rows.map((r) => r.id);
  }

  notifyEnded(sessionIds: string[], reason: SessionEndReason): void {
    if (sessionIds.length) this.sessionsEnded(sessionIds, reason);
  }

  private async tokensFor(p: Principal, refreshToken: string): Promise<SessionTokens> {
    const access = await this.tokens.issue({ userId: p.userId, sessionId: p.sessionId });
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt.toISOString(),
      refreshToken,
      user: toCurrentUser(p),
    };
  }
}
