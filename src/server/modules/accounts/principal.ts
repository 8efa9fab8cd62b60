/** The authenticated caller of a request or socket, loaded fresh from the database. */
import { sql } from 'kysely';
import type { Role } from '../../../shared/roles.js';
import { permissionsOf } from '../../../shared/roles.js';
import type { CurrentUser } from '../../../shared/api/accounts.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../http/errors.js';

export interface Principal {
  userId: string;
  sessionId: string;
  username: string;
  displayName: string;
  roles: Role[];
  groupIds: string[];
  extension: string | null;
}

/** Loads the session's user; throws SESSION_REVOKED when the session is no longer valid. */
export async function loadPrincipal(db: Db, sessionId: string, userId: string): Promise<Principal> {
  const row = await db
    .selectFrom('auth_session as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .select([
      'u.id',
      'u.username',
      'u.display_name',
      'u.roles',
      'u.extension',
      'u.disabled',
      's.revoked_at',
      's.expires_at',
      sql<string[] | null>`(select array_agg(m.group_id::text) from group_member m where m.user_id = u.id)`.as('group_ids'),
    ])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
  if (!row || row.id !== userId || row.revoked_at || row.expires_at <= new Date() || row.disabled) {
    throw new AppError('SESSION_REVOKED', 'This session has ended; sign in again');
  }
  return {
    userId: row.id,
    sessionId,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles as Role[],
    groupIds: row.group_ids ?? [],
    extension: row.extension,
  };
}

export function toCurrentUser(p: Principal): CurrentUser {
  return {
    id: p.userId,
    username: p.username,
    displayName: p.displayName,
    roles: p.roles,
    permissions: [...permissionsOf(p.roles)],
    groupIds: p.groupIds,
    extension: p.extension,
  };
}
