/**
 * User administration: accounts, roles, group membership, extensions, passwords and
 * forced sign-out. Every change is audited in the same transaction.
 */
import { sql } from 'kysely';
import type { CreateUserSchema, UpdateUserSchema, User } from '../../../shared/api/accounts.js';
import type { z } from 'zod';
import type { Db } from '../../db/database.js';
import { foreignKeyViolation, uniqueViolation } from '../../db/constraint-errors.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/audit-log.js';
import type { AuthService } from './auth-service.js';
import { hashPassword } from './passwords.js';
import type { Principal } from './principal.js';

type CreateUserInput = z.output<typeof CreateUserSchema>;
type UpdateUserInput = z.output<typeof UpdateUserSchema>;

function conflictMessage(constraint: string): string {
  if (constraint.includes('username')) return 'Username is already taken';
  if (constraint.includes('extension')) return 'Extension is already assigned to another user';
  return 'Conflicts with an existing record';
}

export class UsersService {
  constructor(private readonly db: Db, private readonly auth: AuthService) {}

  private baseQuery(db: Db = this.db) {
    return db
      .selectFrom('app_user as u')
      .select([
        'u.id', 'u.username', 'u.display_name', 'u.roles', 'u.extension', 'u.disabled', 'u.locked_until',
        'u.last_login_at', 'u.created_at',
        sql<string[] | null>`(select array_agg(m.group_id::text order by m.group_id) from group_member m where m.user_id = u.id)`.as('group_ids'),
      ]);
  }

  private static toUser(r: {
    id: string; username: string; display_name: string; roles: string[]; extension: string | null; disabled: boolean;
    locked_until: Date | null; last_login_at: Date | null; created_at: Date; group_ids: string[] | null;
  }): User {
    const locked = r.locked_until && r.locked_until > new Date() ? r.locked_until.toISOString() : null;
    return {
      id: r.id,
      username: r.username,
      displayName: r.display_name,
      roles: r.roles as User['roles'],
      groupIds: r.group_ids ?? [],
      extension: r.extension,
      disabled: r.disabled,
      lockedUntil: locked,
      lastLoginAt: r.last_login_at?.toISOString() ?? null,
      createdAt: r.created_at.toISOString(),
    };
  }

  async list(): Promise<User[]> {
    const rows = await this.baseQuery().orderBy('u.username').execute();
    return rows.map(UsersService.toUser);
  }

  async get(id: string, db: Db = this.db): Promise<User> {
    const row = await this.baseQuery(db).where('u.id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'No such user');
    return UsersService.toUser(row);
  }

  async create(input: CreateUserInput, actor: Principal | null, ip: string | null = null): Promise<User> {
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.db.transaction().execute(async (tx) => {
        const { id } = await tx
          .insertInto('app_user')
          .values({
            username: input.username,
            display_name: input.displayName,
            password_hash: passwordHash,
            roles: [...new Set(input.roles)],
            extension: input.extension,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await this.setGroups(tx, id, input.groupIds);
        await recordAudit(tx, {
          actorId: actor?.userId ?? null, actorName: actor?.username ?? 'system', action: 'user.created', ip,
          targetType: 'user', targetId: id,
          detail: { username: input.username, roles: input.roles, extension: input.extension, groupIds: input.groupIds },
        });
        return this.get(id, tx);
      });
    } catch (err) {
      const c = uniqueViolation(err);
      if (c) throw new AppError('CONFLICT', conflictMessage(c));
      if (foreignKeyViolation(err)) throw new AppError('VALIDATION_FAILED', 'Unknown group', { issues: [{ path: 'groupIds', message: 'Unknown group' }] });
      throw err;
    }
  }

  private async setGroups(tx: Db, userId: string, groupIds: string[]): Promise<void> {
    await tx.deleteFrom('group_member').where('user_id', '=', userId).execute();
    const unique = [...new Set(groupIds)];
    if (unique.length) {
      await tx.insertInto('group_member').values(unique.map((g) => ({ group_id: g, user_id: userId }))).execute();
    }
  }

  async update(id: string, input: UpdateUserInput, actor: Principal, ip: string | null): Promise<User> {
    if (id === actor.userId && (input.disabled === true || (input.roles && !input.roles.includes('admin') && actor.roles.includes('admin')))) {
      throw new AppError('CONFLICT', 'You cannot disable yourself or remove your own admin role');
    }
    let ended: string[] = [];
    try {
      const user = await this.db.transaction().execute(async (tx) => {
        const before = await this.get(id, tx);
        const set: Record<string, unknown> = {};
        if (input.displayName !== undefined) set.display_name = input.displayName;
        if (input.roles !== undefined) set.roles = [...new Set(input.roles)];
        if (input.extension !== undefined) set.extension = input.extension;
        if (input.disabled !== undefined) set.disabled = input.disabled;
        if (input.unlock) Object.assign(set, { locked_until: null, failed_logins: 0 });
        if (Object.keys(set).length) {
          await tx.updateTable('app_user').set({ ...set, updated_at: new Date() }).where('id', '=', id).execute();
        }
        if (input.groupIds !== undefined) await this.setGroups(tx, id, input.groupIds);
        const after = await this.get(id, tx);
        const base = { actorId: actor.userId, actorName: actor.username, ip, targetType: 'user', targetId: id };
        await recordAudit(tx, { ...base, action: 'user.updated', detail: { changes: Object.keys(input) } });
        if (input.roles && before.roles.join() !== after.roles.join()) {
          await recordAudit(tx, { ...base, action: 'user.roles_changed', detail: { from: before.roles, to: after.roles } });
        }
        if (input.unlock) await recordAudit(tx, { ...base, action: 'user.unlocked' });
        if (input.disabled === true && !before.disabled) {
          ended = await this.auth.endUserSessions(tx, id, 'disabled');
        }
        return after;
      });
      this.auth.notifyEnded(ended, 'disabled');
      return user;
    } catch (err) {
      const c = uniqueViolation(err);
      if (c) throw new AppError('CONFLICT', conflictMessage(c));
      if (foreignKeyViolation(err)) throw new AppError('VALIDATION_FAILED', 'Unknown group', { issues: [{ path: 'groupIds', message: 'Unknown group' }] });
      throw err;
    }
  }

  async resetPassword(id: string, password: string, actor: Principal, ip: string | null): Promise<void> {
    const hash = await hashPassword(password);
    const ended = await this.db.transaction().execute(async (tx) => {
      const res = await tx.updateTable('app_user')
        .set({ password_hash: hash, failed_logins: 0, locked_until: null, updated_at: new Date() })
        .where('id', '=', id).executeTakeFirst();
      if (!res.numUpdatedRows) throw new AppError('NOT_FOUND', 'No such user');
      await recordAudit(tx, { actorId: actor.userId, actorName: actor.username, action: 'user.password_reset', ip, targetType: 'user', targetId: id });
      // The actor keeps the session they are using when resetting their own password.
      return this.auth.endUserSessions(tx, id, 'password_reset', actor.sessionId);
    });
    this.auth.notifyEnded(ended, 'password_reset');
  }

  async sessions(id: string) {
    await this.get(id);
    const rows = await this.db.selectFrom('auth_session').selectAll()
      .where('user_id', '=', id).where('revoked_at', 'is', null).where('expires_at', '>', new Date())
      .orderBy('created_at', 'desc').execute();
    return rows.map((s) => ({
      id: s.id, createdAt: s.created_at.toISOString(), lastSeenAt: s.last_seen_at.toISOString(), ip: s.ip, userAgent: s.user_agent,
    }));
  }

  async revokeSessions(id: string, actor: Principal, ip: string | null): Promise<void> {
    const ended = await this.db.transaction().execute(async (tx) => {
      await this.get(id, tx);
      const ids = await this.auth.endUserSessions(tx, id, 'revoked');
      await recordAudit(tx, {
        actorId: actor.userId, actorName: actor.username, action: 'session.revoked', ip, targetType: 'user', targetId: id,
        detail: { sessions: ids.length },
      });
      return ids;
    });
    this.auth.notifyEnded(ended, 'revoked');
  }
}
