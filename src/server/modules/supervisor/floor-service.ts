/**
 * The supervisor's floor: the wallboard snapshot (agents of the watched groups with state,
 * the call their softphone reports and any monitoring), the live-call reports that feed it,
 * and controlling agents (置忙, 强制签出, messages) — each checked and audited here.
 */
import type { AgentStatus } from '../../../shared/api/agent-state.js';
import type { FloorSnapshot, LiveCall } from '../../../shared/api/supervisor.js';
import { systemReasons, type AgentState } from '../../../shared/agent-state.js';
import { rooms } from '../../../shared/realtime.js';
import { can } from '../../../shared/roles.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import type { RealtimeIo } from '../../realtime/realtime-server.js';
import type { Principal } from '../accounts/principal.js';
import type { AgentStateService } from '../agents/agent-state-service.js';
import { recordAudit } from '../audit/audit-log.js';
import { agentFiguresToday } from './agent-figures.js';
import { groupIdsOf, supervisedAgent, watchedGroupIds } from './floor-access.js';
import type { MonitoringService } from './monitoring-service.js';

/** 138****8000: citizens' numbers are shown whole only to those allowed to see contact details. */
export function maskNumber(n: string): string {
  if (n.length < 7) return n;
  return `${n.slice(0, 3)}${'*'.repeat(n.length - 7)}${n.slice(-4)}`;
}

export class FloorService {
  constructor(
    private readonly db: Db,
    private readonly agents: AgentStateService,
    private readonly monitoring: MonitoringService,
    private readonly io: RealtimeIo,
  ) {}

  async snapshot(p: Principal): Promise<FloorSnapshot> {
    const at = new Date();
    const groupIds = await watchedGroupIds(this.db, p);
    if (groupIds.length === 0) return { groups: [], agents: [], at: at.toISOString() };
    const groups = await this.db.selectFrom('agent_group').select(['id', 'name']).where('id', 'in', groupIds).orderBy('name').execute();
    const members = await this.db
      .selectFrom('group_member as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.username', 'u.display_name', 'u.extension', 'u.roles', 'm.group_id'])
      .where('m.group_id', 'in', groupIds)
      .where('u.disabled', '=', false)
      .orderBy('u.username')
      .execute();
    const byId = new Map<string, { id: string; username: string; display_name: string; extension: string | null; groupIds: string[] }>();
    for (const m of members) {
      if (!m.roles.includes('agent')) continue;
      const a = byId.get(m.id) ?? { id: m.id, username: m.username, display_name: m.display_name, extension: m.extension, groupIds: [] };
      a.groupIds.push(m.group_id);
      byId.set(m.id, a);
    }
    const ids = [...byId.keys()];
    if (ids.length === 0) return { groups, agents: [], at: at.toISOString() };
    const [states, calls, monitors, figures] = await Promise.all([
      this.db.selectFrom('agent_state').selectAll().where('agent_id', 'in', ids).execute(),
      this.db.selectFrom('agent_live_call').selectAll().where('agent_id', 'in', ids).execute(),
      this.db
        .selectFrom('monitor_session as s')
        .innerJoin('app_user as u', 'u.id', 's.supervisor_id')
        .select(['s.id', 's.agent_id', 's.mode', 'u.display_name'])
        .where('s.agent_id', 'in', ids)
        .where('s.ended_at', 'is', null)
        .where('s.redeemed_at', 'is not', null)
        .execute(),
      agentFiguresToday(this.db, ids, at),
    ]);
    const seeNumbers = can(p.roles, 'tickets:confidential');
    const stateOf = new Map(states.map((s) => [s.agent_id, s]));
    const callOf = new Map(calls.map((c) => [c.agent_id, c]));
    const monitorOf = new Map(monitors.map((m) => [m.agent_id, m]));
    return {
      groups,
      at: at.toISOString(),
      agents: [...byId.values()].map((a) => {
        const s = stateOf.get(a.id);
        const c = callOf.get(a.id);
        const m = monitorOf.get(a.id);
        const status: AgentStatus = s
          ? { agentId: a.id, state: s.state, since: s.since.toISOString(), wrapUpDeadline: s.wrap_up_deadline?.toISOString() ?? null }
          : { agentId: a.id, state: { kind: 'signed_out' }, since: new Date(0).toISOString(), wrapUpDeadline: null };
        return {
          agentId: a.id,
          username: a.username,
          displayName: a.display_name,
          extension: a.extension,
          groupIds: a.groupIds,
          status,
          liveCall: c
            ? { sipCallId: c.sip_call_id, direction: c.direction, remoteNumber: seeNumbers ? c.remote_number : maskNumber(c.remote_number), answeredAt: c.answered_at.toISOString() }
            : null,
          monitor: m ? { sessionId: m.id, supervisorName: m.display_name, mode: m.mode } : null,
          today: figures.get(a.id)!,
        };
      }),
    };
  }

  // ---- live calls (reported by the agent's softphone) ----

  async reportLiveCall(p: Principal, call: LiveCall): Promise<void> {
    const answeredAt = new Date(call.answeredAt);
    await this.db
      .insertInto('agent_live_call')
      .values({ agent_id: p.userId, sip_call_id: call.sipCallId, direction: call.direction, remote_number: call.remoteNumber, answered_at: answeredAt })
      .onConflict((oc) => oc.column('agent_id').doUpdateSet({ sip_call_id: call.sipCallId, direction: call.direction, remote_number: call.remoteNumber, answered_at: answeredAt, updated_at: new Date() }))
      .execute();
    await this.pushCall(p.userId, call);
  }

  async clearLiveCall(p: Principal, sipCallId: string): Promise<void> {
    const gone = await this.db.deleteFrom('agent_live_call').where('agent_id', '=', p.userId).where('sip_call_id', '=', sipCallId).returning('agent_id').executeTakeFirst();
    await this.monitoring.endForCall(p.userId, sipCallId);
    if (gone) await this.pushCall(p.userId, null);
  }

  private async pushCall(agentId: string, call: LiveCall | null): Promise<void> {
    const groups = await groupIdsOf(this.db, agentId);
    if (!groups.length) return;
    // Floor rooms hold supervisors of every right; the number is masked for all (the snapshot shows it whole to those allowed).
    const liveCall = call ? { ...call, remoteNumber: maskNumber(call.remoteNumber) } : null;
    this.io.to(groups.map(rooms.floor)).emit('agent:call-changed', { agentId, liveCall });
  }

  // ---- control ----

  /** 置忙: not ready with the reason 班长置忙. Refused (409) during a call, like any 示忙. */
  async forceNotReady(p: Principal, agentId: string, ip: string | null): Promise<AgentStatus> {
    const agent = await supervisedAgent(this.db, p, agentId);
    const status = await this.agents.apply(agentId, { type: 'not_ready', reason: systemReasons.supervisor }, { actorId: p.userId, validateReason: false });
    await recordAudit(this.db, { actorId: p.userId, actorName: p.username, action: 'agent.force_not_ready', targetType: 'user', targetId: agentId, ip, detail: { agent: agent.displayName } });
    this.io.to(rooms.user(agentId)).emit('supervisor:forced', { action: 'not_ready', by: p.displayName, at: new Date().toISOString() });
    return status;
  }

  /**
   * 强制签出. On a call only when the supervisor confirmed: the call is ended in the agent's
   * state (通话 → 整理) and then signed out; the console hangs up when its phone stops.
   */
  async forceSignOut(p: Principal, agentId: string, confirmOnCall: boolean, ip: string | null): Promise<AgentStatus> {
    const agent = await supervisedAgent(this.db, p, agentId);
    const current = await this.agents.status(agentId);
    const live = await this.db.selectFrom('agent_live_call').select('sip_call_id').where('agent_id', '=', agentId).executeTakeFirst();
    const onCall = current.state.kind === 'on_call' || live !== undefined;
    if (current.state.kind === 'reserved') throw new AppError('CONFLICT', '坐席正在振铃，请稍后再签出');
    if (onCall && !confirmOnCall) throw new AppError('CONFLICT', '坐席通话中，确认后才能强制签出');
    const state: AgentState = current.state;
    if (state.kind === 'on_call') await this.agents.apply(agentId, { type: 'call_ended', callId: state.callId }, { actorId: p.userId, validateReason: false });
    const status = await this.agents.apply(agentId, { type: 'sign_out' }, { actorId: p.userId, validateReason: false });
    await recordAudit(this.db, {
      actorId: p.userId, actorName: p.username, action: 'agent.force_sign_out', targetType: 'user', targetId: agentId, ip,
      detail: { agent: agent.displayName, onCall, callId: live?.sip_call_id ?? (state.kind === 'on_call' ? state.callId : null) },
    });
    this.io.to(rooms.user(agentId)).emit('supervisor:forced', { action: 'sign_out', by: p.displayName, at: new Date().toISOString() });
    return status;
  }

  async message(p: Principal, agentId: string, text: string, ip: string | null): Promise<void> {
    const agent = await supervisedAgent(this.db, p, agentId);
    await recordAudit(this.db, { actorId: p.userId, actorName: p.username, action: 'agent.message', targetType: 'user', targetId: agentId, ip, detail: { agent: agent.displayName, text } });
    this.io.to(rooms.user(agentId)).emit('supervisor:message', { from: { id: p.userId, name: p.displayName }, text, at: new Date().toISOString() });
  }
}
