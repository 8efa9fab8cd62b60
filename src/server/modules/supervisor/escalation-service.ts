/**
 * 升级/求助: an agent on a call asks for help. The backend picks an online supervisor of the
 * agent's groups — one whose console declared its phone registered (`escalation:ready`, a
 * Socket.IO room per group, so presence follows the connection on any node) and who is not
 * already taking a 求助 — and returns their extension; the agent's softphone then calls it as
 * its consult leg (caller held; complete = transfer the caller to the supervisor). The
 * supervisor is told first, so their console knows the call before it rings. Every step is
 * recorded (escalation row) and audited; each step is pushed to both sides.
 */
import { randomUUID } from 'node:crypto';
import type { Escalation, EscalationState } from '../../../shared/api/supervisor.js';
import { rooms } from '../../../shared/realtime.js';
import { can } from '../../../shared/roles.js';
import type { Db } from '../../db/database.js';
import type { EscalationTable } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import type { Realtime, RealtimeIo } from '../../realtime/realtime-server.js';
import type { Principal } from '../accounts/principal.js';
import { recordAudit } from '../audit/audit-log.js';
import { groupIdsOf } from './floor-access.js';
import { maskNumber } from './floor-service.js';

type Row = Pick<EscalationTable, 'id' | 'agent_id' | 'supervisor_id' | 'sip_call_id' | 'remote_number' | 'state'> & { created_at: Date };

/** A ringing 求助 nobody answered for this long no longer makes its supervisor busy. */
const RINGING_STALE_MS = 60_000;
/** An answered one that nobody closed (both consoles crashed) stops counting after this. */
const ANSWERED_STALE_MS = 2 * 3600_000;

const terminal = (s: EscalationState) => s !== 'ringing' && s !== 'answered';
/** Who may report which step: the supervisor answers or declines; the agent completes or cancels; either may report failure. */
const reporter: Record<Exclude<EscalationState, 'ringing'>, 'agent' | 'supervisor' | 'either'> = {
  answered: 'supervisor', declined: 'supervisor', transferred: 'agent', cancelled: 'agent', failed: 'either',
};

export class EscalationService {
  constructor(private readonly db: Db, private readonly io: RealtimeIo) {}

  /** Answers `escalation:ready` from supervisors' consoles. */
  attach(realtime: Realtime): void {
    realtime.onRequest('escalation:ready', async ({ ready }, socket) => {
      const groups = can(socket.data.roles, 'floor:watch')
        ? (await this.db.selectFrom('group_supervisor').select('group_id').where('user_id', '=', socket.data.userId).execute()).map((g) => g.group_id)
        : [];
      const names = groups.map(rooms.escalations);
      if (ready) await socket.join(names);
      else for (const n of names) await socket.leave(n);
      return { groups: ready ? groups.length : 0 };
    });
  }

  async request(p: Principal, sipCallId: string, ip: string | null): Promise<Escalation> {
    const live = await this.db.selectFrom('agent_live_call').select(['sip_call_id', 'remote_number']).where('agent_id', '=', p.userId).executeTakeFirst();
    if (!live || live.sip_call_id !== sipCallId) throw new AppError('CONFLICT', '当前没有可求助的通话');
    const groups = await groupIdsOf(this.db, p.userId);
    const online = new Set<string>();
    if (groups.length) for (const s of await this.io.in(groups.map(rooms.escalations)).fetchSockets()) online.add(s.data.userId);
    online.delete(p.userId);
    if (!online.size) throw new AppError('CONFLICT', '本组暂无在线班长可求助');
    const now = Date.now();
    const candidates = await this.db
      .selectFrom('app_user as u')
      .innerJoin('group_supervisor as s', 's.user_id', 'u.id')
      .select(['u.id', 'u.display_name', 'u.extension'])
      .select((eb) => eb.selectFrom('escalation as e').select((e) => e.fn.max('e.created_at').as('m')).whereRef('e.supervisor_id', '=', 'u.id').as('last_asked'))
      .select((eb) =>
        eb.selectFrom('escalation as e').select((e) => e.fn.countAll<string | number>().as('n')).whereRef('e.supervisor_id', '=', 'u.id')
          .where((w) => w.or([
            w.and([w('e.state', '=', 'ringing'), w('e.created_at', '>', new Date(now - RINGING_STALE_MS))]),
            w.and([w('e.state', '=', 'answered'), w('e.created_at', '>', new Date(now - ANSWERED_STALE_MS))]),
          ]))
          .as('busy'))
      .where('u.id', 'in', [...online])
      .where('s.group_id', 'in', groups)
      .where('u.disabled', '=', false)
      .where('u.extension', 'is not', null)
      .distinct()
      .execute();
    // Free supervisors only; the one asked least recently first, so help is shared out.
    const free = candidates.filter((c) => Number(c.busy ?? 0) === 0).sort((a, b) => time(a.last_asked) - time(b.last_asked) || a.display_name.localeCompare(b.display_name, 'zh-CN'));
    const sup = free[0];
    if (!sup?.extension) throw new AppError('CONFLICT', '本组在线班长都在忙，请稍后再试');
    const id = randomUUID();
    const row = await this.db.transaction().execute(async (tx) => {
      const r = await tx.insertInto('escalation')
        .values({ id, agent_id: p.userId, supervisor_id: sup.id, sip_call_id: sipCallId, remote_number: live.remote_number, state: 'ringing' })
        .returning(['id', 'agent_id', 'supervisor_id', 'sip_call_id', 'remote_number', 'state', 'created_at'])
        .executeTakeFirstOrThrow();
      await recordAudit(tx, {
        actorId: p.userId, actorName: p.username, action: 'escalation.request', targetType: 'user', targetId: sup.id, ip,
        detail: { escalationId: id, callId: sipCallId, supervisor: sup.display_name },
      });
      return r;
    });
    // The supervisor first: their console must know the 求助 before the consult call rings it.
    await this.push(row);
    return this.view(row, p.roles);
  }

  /** A step reported by the agent (transferred, cancelled) or the supervisor (answered, declined). */
  async report(p: Principal, id: string, state: Exclude<EscalationState, 'ringing'>, ip: string | null): Promise<Escalation> {
    const row = await this.db.transaction().execute(async (tx) => {
      const cur = await tx.selectFrom('escalation').select(['id', 'agent_id', 'supervisor_id', 'sip_call_id', 'remote_number', 'state', 'created_at'])
        .where('id', '=', id).forUpdate().executeTakeFirst();
      if (!cur || (cur.agent_id !== p.userId && cur.supervisor_id !== p.userId)) throw new AppError('NOT_FOUND', 'No such escalation');
      const role = cur.agent_id === p.userId ? 'agent' : 'supervisor';
      const who = reporter[state];
      if (who !== 'either' && who !== role) throw new AppError('FORBIDDEN', `Only the ${who} reports ${state}`);
      if (cur.state === state) return null; // repeated report
      if (terminal(cur.state)) throw new AppError('CONFLICT', `This escalation already ended (${cur.state})`);
      if (state === 'answered' && cur.state !== 'ringing') throw new AppError('CONFLICT', 'Not ringing');
      if (state === 'transferred' && cur.state !== 'answered') throw new AppError('CONFLICT', 'The supervisor has not answered');
      const now = new Date();
      const r = await tx.updateTable('escalation')
        .set(state === 'answered' ? { state, answered_at: now } : { state, ended_at: now })
        .where('id', '=', id)
        .returning(['id', 'agent_id', 'supervisor_id', 'sip_call_id', 'remote_number', 'state', 'created_at'])
        .executeTakeFirstOrThrow();
      await recordAudit(tx, {
        actorId: p.userId, actorName: p.username, action: `escalation.${state}`, targetType: 'user', targetId: role === 'agent' ? cur.supervisor_id : cur.agent_id, ip,
        detail: { escalationId: id, callId: cur.sip_call_id, from: cur.state },
      });
      return r;
    });
    if (!row) {
      const cur = await this.db.selectFrom('escalation').select(['id', 'agent_id', 'supervisor_id', 'sip_call_id', 'remote_number', 'state', 'created_at']).where('id', '=', id).executeTakeFirstOrThrow();
      return this.view(cur, p.roles);
    }
    await this.push(row);
    return this.view(row, p.roles);
  }

  private async push(row: Row): Promise<void> {
    const [agentView, supView] = await Promise.all([this.viewFor(row, row.agent_id), this.viewFor(row, row.supervisor_id)]);
    this.io.to(rooms.user(row.supervisor_id)).emit('escalation:changed', supView);
    if (row.state !== 'ringing') this.io.to(rooms.user(row.agent_id)).emit('escalation:changed', agentView);
  }

  private async viewFor(row: Row, userId: string): Promise<Escalation> {
    const u = await this.db.selectFrom('app_user').select('roles').where('id', '=', userId).executeTakeFirst();
    return this.view(row, u?.roles ?? []);
  }

  private async view(row: Row, viewerRoles: readonly string[]): Promise<Escalation> {
    const users = await this.db.selectFrom('app_user').select(['id', 'display_name', 'extension']).where('id', 'in', [row.agent_id, row.supervisor_id]).execute();
    const agent = users.find((u) => u.id === row.agent_id)!;
    const sup = users.find((u) => u.id === row.supervisor_id)!;
    return {
      id: row.id,
      agent: { id: agent.id, name: agent.display_name, extension: agent.extension },
      supervisor: { id: sup.id, name: sup.display_name, extension: sup.extension ?? '' },
      sipCallId: row.sip_call_id,
      remoteNumber: can(viewerRoles as Principal['roles'], 'tickets:confidential') ? row.remote_number : maskNumber(row.remote_number),
      state: row.state,
      createdAt: row.created_at.toISOString(),
    };
  }
}

function time(d: unknown): number {
  if (d instanceof Date) return d.getTime();
  if (typeof d === 'string') return Date.parse(d);
  return 0;
}
