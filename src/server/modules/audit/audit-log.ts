/**
 * The append-only audit log: who did what to whom, from where. Writers call `record`
 * (inside the same transaction as the change when there is one); the table's trigger
 * refuses updates and deletes.
 */
import type { Kysely } from 'kysely';
import type { AuditEntry } from '../../../shared/api/accounts.js';
import type { Database } from '../../db/schema.js';

export interface AuditRecord {
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

export async function recordAudit(db: Kysely<Database>, r: AuditRecord): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_id: r.actorId,
      actor_name: r.actorName,
      action: r.action,
      target_type: r.targetType ?? null,
      target_id: r.targetId ?? null,
      ip: r.ip ?? null,
      detail: JSON.stringify(r.detail ?? {}),
    })
    .execute();
}

export interface AuditQuery {
  limit: number;
  before?: string | undefined;
  action?: string | undefined;
  actorId?: string | undefined;
}

export async function listAudit(db: Kysely<Database>, q: AuditQuery): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.before) query = query.where('id', '<', q.before);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.actorId) query = query.where('actor_id', '=', q.actorId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: String(r.id),
    at: r.at.toISOString(),
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    ip: r.ip,
    detail: r.detail,
  }));
}
