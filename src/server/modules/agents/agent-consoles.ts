/**
 * The agent's console as a live thing. Owns three rules:
 * - One live console per agent: when an agent console connects (handshake `console`), its
 *   session claims the console in the database and every other console session of the agent
 *   ends ('replaced', with where and when the new one connected; audited). The claim runs
 *   under the agent's user row lock, so two consoles connecting at once leave exactly one.
 * - Disconnect grace: when the last console socket of an agent goes away, after
 *   `graceSeconds` a 示闲 (or 整理) agent is made 示忙 · 掉线 (`disconnected`), so no call rings
 *   into a dead seat. Before acting it asks the Socket.IO adapter whether a console of the
 *   agent is connected on any node; a reconnect within the grace changes nothing.
 * - Logout from the console 签出s the agent first (refused on a call unless kept signed in).
 * The database and the adapter are the truth; this node's timers are only reminders.
 */
import type { ConsoleLocation, SessionEndReason } from '../../../shared/realtime.js';
import { rooms } from '../../../shared/realtime.js';
import type { Db } from '../../db/database.js';
import type { RealtimeIo, RealtimeSocket } from '../../realtime/realtime-server.js';
import type { Principal } from '../accounts/principal.js';
import { recordAudit } from '../audit/audit-log.js';
import type { AgentStateService } from './agent-state-service.js';

export interface AgentConsoleDeps {
  db: Db;
  io: RealtimeIo;
  agents: AgentStateService;
  /** Seconds a console may be gone before its 示闲 agent is made 示忙 · 掉线. */
  graceSeconds: number;
  /** Ends sessions live: push `session:ended`, drop their sockets, revoke SIP if it was the last. */
  sessionsEnded(sessionIds: string[], reason: SessionEndReason, replacedBy?: ConsoleLocation): void;
  log: { info(o: object, msg: string): void; error(o: object, msg: string): void };
}

const endReasons: readonly string[] = ['logout', 'revoked', 'password_reset', 'disabled', 'replaced'] satisfies SessionEndReason[];

export class AgentConsoles {
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly d: AgentConsoleDeps) {
    d.io.on('connection', (socket) => this.connected(socket));
  }

  private connected(socket: RealtimeSocket): void {
    if (!socket.data.console) return;
    const { userId } = socket.data;
    this.cancelGrace(userId);
    socket.on('disconnect', () => this.lost(userId));
    this.claim(socket).catch((err: unknown) => this.d.log.error({ err, userId }, 'claiming the agent console failed'));
  }

  /** This socket's session becomes the agent's console; the agent's other console sessions end. */
  async claim(socket: RealtimeSocket): Promise<void> {
    const { userId, sessionId } = socket.data;
    const seat = socket.data.console?.seat ?? null;
    const now = new Date();
    const outcome = await this.d.db.transaction().execute(async (tx) => {
      // Serialises consoles of one agent connecting at once: the later one wins, never both lose.
      const user = await tx.selectFrom('app_user').select('username').where('id', '=', userId).forUpdate().executeTakeFirst();
      const mine = await tx.selectFrom('auth_session').select(['revoked_at', 'revoked_reason', 'ip']).where('id', '=', sessionId).executeTakeFirst();
      if (!user || !mine || mine.revoked_at) return { kind: 'gone' as const, reason: mine?.revoked_reason ?? null };
      await tx.updateTable('auth_session').set({ console_at: now }).where('id', '=', sessionId).execute();
      const ended = await tx
        .updateTable('auth_session')
        .set({ revoked_at: now, revoked_reason: 'replaced' })
        .where('user_id', '=', userId)
        .where('id', '!=', sessionId)
        .where('revoked_at', 'is', null)
        .where('console_at', 'is not', null)
        .returning('id')
        .execute();
      const location: ConsoleLocation = { seat, ip: mine.ip, at: now.toISOString() };
      if (ended.length) {
        await recordAudit(tx, {
          actorId: userId, actorName: user.username, action: 'session.replaced', ip: mine.ip,
          targetType: 'user', targetId: userId,
          detail: { sessions: ended.length, replacedSessionIds: ended.map((e) => e.id), bySessionId: sessionId, seat },
        });
      }
      return { kind: 'held' as const, ended: ended.map((e) => e.id), location };
    });
    if (outcome.kind === 'gone') {
      // Ended between the handshake and now (e.g. taken over by a console that connected a
      // moment later): its push may have gone out before this socket joined its rooms.
      const reason = outcome.reason && endReasons.includes(outcome.reason) ? (outcome.reason as SessionEndReason) : 'revoked';
      socket.emit('session:ended', { reason });
      setTimeout(() => socket.disconnect(true), 50).unref();
      return;
    }
    if (outcome.ended.length) {
      this.d.log.info({ userId, sessions: outcome.ended, seat, ip: outcome.location.ip }, 'agent console taken over');
      this.d.sessionsEnded(outcome.ended, 'replaced', outcome.location);
    }
  }

  private cancelGrace(userId: string): void {
    const t = this.graceTimers.get(userId);
    if (t) clearTimeout(t);
    this.graceTimers.delete(userId);
  }

  /** A console socket of this agent closed: start (or restart) the grace. */
  private lost(userId: string): void {
    if (this.stopped) return;
    this.cancelGrace(userId);
    const timer = setTimeout(() => {
      this.graceTimers.delete(userId);
      this.graceOver(userId).catch((err: unknown) => this.d.log.error({ err, userId }, 'disconnect grace failed'));
    }, this.d.graceSeconds * 1000);
    timer.unref();
    this.graceTimers.set(userId, timer);
  }

  /** The grace is over: unless a console of the agent is connected on any node, stop offering calls. */
  private async graceOver(userId: string): Promise<void> {
    const sockets = await this.d.io.in(rooms.user(userId)).fetchSockets();
    if (sockets.some((s) => s.data.console)) return;
    const status = await this.d.agents.status(userId);
    // Only 示闲 and 整理 change (see the state machine); a call in progress goes on by itself.
    if (status.state.kind !== 'ready' && status.state.kind !== 'after_call_work') return;
    await this.d.agents.apply(userId, { type: 'disconnected' }, { validateReason: false });
    this.d.log.info({ userId }, 'agent console gone past the grace: made not ready');
  }

  /**
   * Before a logout: from the console's session the agent 签出s first. On a call the state
   * machine refuses (409, the session stays) unless the agent chose to stay signed in.
   */
  async beforeLogout(p: Principal, opts: { keepAgentSignedIn: boolean }): Promise<void> {
    if (opts.keepAgentSignedIn) return;
    const session = await this.d.db.selectFrom('auth_session').select('console_at').where('id', '=', p.sessionId).executeTakeFirst();
    if (!session?.console_at) return; // not the agent console's session (e.g. an admin page elsewhere)
    const status = await this.d.agents.status(p.userId);
    if (status.state.kind === 'signed_out') return;
    await this.d.agents.apply(p.userId, { type: 'sign_out' }, { actorId: p.userId });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.graceTimers.values()) clearTimeout(t);
    this.graceTimers.clear();
  }
}
