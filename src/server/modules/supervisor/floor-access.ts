/**
 * Who may act on an agent: admins, and supervisors of at least one of the agent's groups.
 * Every supervisor route checks it on the server (the renderer hides buttons, nothing more).
 */
import type { Db } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import type { Principal } from '../accounts/principal.js';

export interface SupervisedAgent {
  id: string;
  displayName: string;
  extension: string | null;
}

/** Groups whose floor this user watches: every group for admins, else the groups they supervise. */
export async function watchedGroupIds(db: Db, p: Principal): Promise<string[]> {
  if (p.roles.includes('admin')) return (await db.selectFrom('agent_group').select('id').execute()).map((r) => r.id);
  if (!p.roles.includes('supervisor')) return [];
  return (await db.selectFrom('group_supervisor').select('group_id').where('user_id', '=', p.userId).execute()).map((r) => r.group_id);
}

/** The agent, if this principal may supervise them; FORBIDDEN otherwise (also for unknown agents, so ids are not probed). */
export async function supervisedAgent(db: Db, p: Principal, agentId: string): Promise<SupervisedAgent> {
  const agent = await db.selectFrom('app_user').select(['id', 'display_name', 'extension', 'roles']).where('id', '=', agentId).executeTakeFirst();
  const forbidden = new AppError('FORBIDDEN', 'Only supervisors of this agent’s group (or admins) may do this');
  if (!agent || !agent.roles.includes('agent')) throw forbidden;
  if (!p.roles.includes('admin')) {
    if (!p.roles.includes('supervisor')) throw forbidden;
    const shared = await db
      .selectFrom('group_supervisor as s')
      .innerJoin('group_member as m', 'm.group_id', 's.group_id')
      .select('s.group_id')
      .where('s.user_id', '=', p.userId)
      .where('m.user_id', '=', agentId)
      .executeTakeFirst();
    if (!shared) throw forbidden;
  }
  return { id: agent.id, displayName: agent.display_name, extension: agent.extension };
}

export async function groupIdsOf(db: Db, userId: string): Promise<string[]> {
  return (await db.selectFrom('group_member').select('group_id').where('user_id', '=', userId).execute()).map((r) => r.group_id);
}
