/**
 * Monitoring sessions (监听 / 业务指导 / 强插): issues single-use grants to supervisors,
 * redeems them for the agent's softphone (signature, expiry, once, agent and call), switches
 * modes and records the end. Every step is audited; the floor is told who is being monitored
 * and the agent's console is told mode changes (its softphone changes the mix). On a site
 * whose PBX has its own spy feature (feature codes), the same checks hand out the rendered
 * code to dial instead of a grant, and the session is active at once.
 */
import { randomUUID } from 'node:crypto';
import type { MonitorMode, MonitorRedeemed, MonitorSession, MonitorStart } from '../../../shared/api/supervisor.js';
import { renderFeatureCode, type FeatureCodes } from '../../../shared/monitor-feature-codes.js';
import { rooms } from '../../../shared/realtime.js';
import type { Db } from '../../db/database.js';
import type { MonitorSessionTable } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import type { RealtimeIo } from '../../realtime/realtime-server.js';
import type { Principal } from '../accounts/principal.js';
import { recordAudit } from '../audit/audit-log.js';
import { groupIdsOf, supervisedAgent } from './floor-access.js';
import type { MonitorGrants } from './monitor-grants.js';

export interface MonitoringSettings {
  /** Show "班长监听中" to the agent in listen mode (whisper and barge always show it). */
  listenIndicator: boolean;
  /** The PBX's spy codes (HOTLINE_MONITOR_MODE=feature-codes), or null for our grant-based leg. */
  featureCodes: FeatureCodes | null;
}

type SessionRow = Pick<MonitorSessionTable, 'id' | 'supervisor_id' | 'agent_id' | 'call_id' | 'mode'> & { redeemed_at: Date | null; ended_at: Date | null };

export class MonitoringService {
  constructor(
    private readonly db: Db,
    private readonly grants: MonitorGrants,
    private readonly settings: MonitoringSettings,
    private readonly io: RealtimeIo,
  ) {}

  showIndicator(mode: MonitorMode): boolean {
    return mode !== 'listen' || this.settings.listenIndicator;
  }

  /** A grant for the supervisor's softphone to call the agent with (or the feature code to dial). */
  async start(p: Principal, agentId: string, mode: MonitorMode, ip: string | null): Promise<MonitorStart> {
    const agent = await supervisedAgent(this.db, p, agentId);
    if (agentId === p.userId) throw new AppError('FORBIDDEN', 'You cannot monitor yourself');
    if (!agent.extension) throw new AppError('CONFLICT', 'This agent has no extension');
    const call = await this.db.selectFrom('agent_live_call').select(['sip_call_id']).where('agent_id', '=', agentId).executeTakeFirst();
    if (!call) throw new AppError('CONFLICT', '坐席当前不在通话中');
    const jti = randomUUID();
    const codes = this.settings.featureCodes;
    if (codes) return this.startWithFeatureCode(p, codes, { id: agentId, displayName: agent.displayName, extension: agent.extension }, call.sip_call_id, mode, ip);
    const { grant, expiresAt } = await this.grants.issue({ jti, supervisorId: p.userId, agentId, callId: call.sip_call_id, mode });
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('monitor_session').values({ id: jti, supervisor_id: p.userId, agent_id: agentId, call_id: call.sip_call_id, mode, expires_at: expiresAt }).execute();
      await recordAudit(tx, {
        actorId: p.userId, actorName: p.username, action: 'monitor.request', targetType: 'user', targetId: agentId, ip,
        detail: { sessionId: jti, callId: call.sip_call_id, mode, agent: agent.displayName },
      });
    });
    return { via: 'grant', sessionId: jti, grant, agentExtension: agent.extension, mode, expiresAt: expiresAt.toISOString() };
  }

  /**
   * The PBX does the listening: nothing for the agent's softphone to redeem, so the session
   * is active (redeemed) as soon as the supervisor, checked like any other, gets the code.
   */
  private async startWithFeatureCode(
    p: Principal, codes: FeatureCodes, agent: { id: string; displayName: string; extension: string }, callId: string, mode: MonitorMode, ip: string | null,
  ): Promise<MonitorStart> {
    const sessionId = randomUUID();
    const dial = renderFeatureCode(codes, mode, agent.extension);
    const now = new Date();
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('monitor_session').values({ id: sessionId, supervisor_id: p.userId, agent_id: agent.id, call_id: callId, mode, expires_at: now, redeemed_at: now }).execute();
      await recordAudit(tx, {
        actorId: p.userId, actorName: p.username, action: 'monitor.start', targetType: 'user', targetId: agent.id, ip,
        detail: { sessionId, callId, mode, via: 'feature-code', dial, agent: agent.displayName },
      });
    });
    await this.pushFloor(agent.id, { sessionId, supervisorName: p.displayName, mode });
    return { via: 'feature-code', sessionId, dial, agentExtension: agent.extension, mode };
  }

  /**
   * The agent's softphone got an INVITE with a grant. Good only if signed by us, unexpired,
   * never redeemed, for this agent and for the call they are on. Refusals are audited too.
   */
  async redeem(p: Principal, grant: string, sipCallId: string, ip: string | null): Promise<MonitorRedeemed> {
    const refuse = async (why: string, detail: Record<string, unknown> = {}): Promise<never> => {
      await recordAudit(this.db, { actorId: p.userId, actorName: p.username, action: 'monitor.refused', targetType: 'user', targetId: p.userId, ip, detail: { why, sipCallId, ...detail } });
      throw new AppError('FORBIDDEN', `Monitoring grant refused: ${why}`);
    };
    const check = await this.grants.verify(grant);
    if (!check.ok) return refuse(check.why);
    const c = check.claims;
    if (c.agentId !== p.userId) return refuse('wrong agent', { sessionId: c.jti });
    if (c.callId !== sipCallId) return refuse('wrong call', { sessionId: c.jti, grantCallId: c.callId });
    const now = new Date();
    const row = await this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('monitor_session')
        .set({ redeemed_at: now })
        .where('id', '=', c.jti)
        .where('agent_id', '=', p.userId)
        .where('call_id', '=', sipCallId)
        .where('redeemed_at', 'is', null)
        .where('ended_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['id', 'supervisor_id', 'agent_id', 'call_id', 'mode'])
        .executeTakeFirst();
      if (!r) return null;
      const sup = await tx.selectFrom('app_user').select(['display_name', 'username']).where('id', '=', r.supervisor_id).executeTakeFirstOrThrow();
      await recordAudit(tx, {
        actorId: r.supervisor_id, actorName: sup.username, action: 'monitor.start', targetType: 'user', targetId: r.agent_id, ip,
        detail: { sessionId: r.id, callId: r.call_id, mode: r.mode },
      });
      return { ...r, supervisorName: sup.display_name };
    });
    if (!row) return refuse('already used or ended', { sessionId: c.jti });
    await this.pushFloor(row.agent_id, { sessionId: row.id, supervisorName: row.supervisorName, mode: row.mode });
    return { sessionId: row.id, mode: row.mode, supervisorName: row.supervisorName, showIndicator: this.showIndicator(row.mode) };
  }

  private async ownSession(p: Principal, sessionId: string): Promise<SessionRow> {
    const row = await this.db.selectFrom('monitor_session').select(['id', 'supervisor_id', 'agent_id', 'call_id', 'mode', 'redeemed_at', 'ended_at']).where('id', '=', sessionId).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'No such monitoring session');
    if (row.supervisor_id !== p.userId && row.agent_id !== p.userId) throw new AppError('FORBIDDEN', 'Not your monitoring session');
    return row;
  }

  /** Listen ↔ whisper ↔ barge, by the supervisor who runs the session (still allowed to supervise the agent). */
  async changeMode(p: Principal, sessionId: string, mode: MonitorMode, ip: string | null): Promise<MonitorSession> {
    const row = await this.ownSession(p, sessionId);
    if (row.supervisor_id !== p.userId) throw new AppError('FORBIDDEN', 'Only the supervisor who started it may switch modes');
    await supervisedAgent(this.db, p, row.agent_id);
    if (row.ended_at || !row.redeemed_at) throw new AppError('CONFLICT', 'This monitoring session is not active');
    // Feature codes: a new mode is a new call to the PBX with that mode's code.
    const codes = this.settings.featureCodes;
    let dial: string | undefined;
    if (codes) {
      const ext = (await this.db.selectFrom('app_user').select('extension').where('id', '=', row.agent_id).executeTakeFirst())?.extension;
      if (!ext) throw new AppError('CONFLICT', 'This agent has no extension');
      dial = renderFeatureCode(codes, mode, ext);
    }
    const supName = await this.db.transaction().execute(async (tx) => {
      const r = await tx.updateTable('monitor_session').set({ mode }).where('id', '=', sessionId).where('ended_at', 'is', null).returning('id').executeTakeFirst();
      if (!r) throw new AppError('CONFLICT', 'This monitoring session is not active');
      await recordAudit(tx, {
        actorId: p.userId, actorName: p.username, action: 'monitor.mode', targetType: 'user', targetId: row.agent_id, ip,
        detail: { sessionId, callId: row.call_id, from: row.mode, to: mode, ...(dial ? { via: 'feature-code', dial } : {}) },
      });
      return p.displayName;
    });
    const showIndicator = this.showIndicator(mode);
    // With feature codes the agent's softphone holds no leg of ours: nothing to re-mix there.
    if (!dial) this.io.to(rooms.user(row.agent_id)).emit('monitor:mode-changed', { sessionId, mode, showIndicator });
    await this.pushFloor(row.agent_id, { sessionId, supervisorName: supName, mode });
    return { sessionId, supervisorId: row.supervisor_id, agentId: row.agent_id, callId: row.call_id, mode, state: 'active', showIndicator, ...(dial ? { dial } : {}) };
  }

  /** Either side reports the leg ended. Idempotent: the first report is audited, later ones change nothing. */
  async end(p: Principal, sessionId: string, reason: string, ip: string | null): Promise<void> {
    const row = await this.ownSession(p, sessionId);
    if (row.ended_at) return;
    await this.endRows([row], reason, p, ip);
  }

  /** The agent's call ended: any monitoring of it ends with it. */
  async endForCall(agentId: string, callId: string): Promise<void> {
    const rows = await this.db.selectFrom('monitor_session').select(['id', 'supervisor_id', 'agent_id', 'call_id', 'mode', 'redeemed_at', 'ended_at'])
      .where('agent_id', '=', agentId).where('call_id', '=', callId).where('ended_at', 'is', null).execute();
    await this.endRows(rows, 'agent_call_ended', null, null);
  }

  private async endRows(rows: SessionRow[], reason: string, by: Principal | null, ip: string | null): Promise<void> {
    for (const row of rows) {
      const ended = await this.db.transaction().execute(async (tx) => {
        const r = await tx.updateTable('monitor_session').set({ ended_at: new Date(), end_reason: reason }).where('id', '=', row.id).where('ended_at', 'is', null).returning('id').executeTakeFirst();
        if (!r) return false;
        // A grant never redeemed did not start monitoring: its end is not news either.
        if (row.redeemed_at) {
          const sup = await tx.selectFrom('app_user').select('username').where('id', '=', row.supervisor_id).executeTakeFirst();
          await recordAudit(tx, {
            actorId: row.supervisor_id, actorName: sup?.username ?? null, action: 'monitor.end', targetType: 'user', targetId: row.agent_id, ip,
            detail: { sessionId: row.id, callId: row.call_id, mode: row.mode, reason, reportedBy: by?.userId ?? 'system' },
          });
        }
        return true;
      });
      if (ended && row.redeemed_at) await this.pushFloor(row.agent_id, null);
    }
  }

  private async pushFloor(agentId: string, monitor: { sessionId: string; supervisorName: string; mode: MonitorMode } | null): Promise<void> {
    const groups = await groupIdsOf(this.db, agentId);
    if (groups.length) this.io.to(groups.map(rooms.floor)).emit('agent:monitor-changed', { agentId, monitor });
  }
}
