/**
 * Live ACD facts over Socket.IO: the offer to the agent it rings (screen pop, with the caller's
 * history when it can be had in time), the end of that offer, queue pictures to the floors of
 * the queue's groups (coalesced: a burst of changes to one queue sends one picture), and
 * callback tasks to the agents of the queue's groups.
 */
import type { CallerHistory } from '../../../shared/api/callers.js';
import { rooms, type AcdOffer } from '../../../shared/realtime.js';
import type { RealtimeIo } from '../../realtime/realtime-server.js';
import type { AcdLog, AcdPushes } from './acd-service.js';
import type { CallbacksService } from './callbacks-service.js';
import type { QueuesService } from './queues-service.js';

export class AcdRealtimePushes implements AcdPushes {
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly io: RealtimeIo,
    private readonly queues: QueuesService,
    private readonly callbacks: CallbacksService,
    private readonly log: AcdLog,
    /** Queue pictures are sent at most this often per burst. */
    private readonly coalesceMs = 200,
  ) {}

  /**
   * The caller's history for the agent an offer rings (the callers module sets it): the offer
   * waits for it, at most `historyWaitMs`, so the console paints the screen pop from one push
   * instead of asking after it (a second round trip). Late or failed: the offer goes without.
   */
  historyOf: ((agentId: string, offer: AcdOffer) => Promise<CallerHistory | null>) | null = null;
  historyWaitMs = 250;
  /** Offers still waiting for their history, by call: their end is pushed only after them. */
  private readonly offering = new Map<string, Promise<void>>();

  /** How long an offer's push waits for the console to say it painted the pop. */
  paintedWaitMs = 100;

  /** Sends the offer; settles when every console of the agent has painted it (or none is open, or paintedWaitMs passed). */
  private emitOffer(agentId: string, payload: AcdOffer): Promise<void> {
    return new Promise((resolve) => {
      this.io.to(rooms.user(agentId)).timeout(this.paintedWaitMs).emit('acd:offered', payload, () => resolve());
    });
  }

  /** Settles once the agent's console has painted the offer (see `emitOffer`); the ACD rings the phone then. */
  offered: AcdPushes['offered'] = (agentId, offer) => {
    const historyOf = this.historyOf;
    if (!historyOf) return this.emitOffer(agentId, offer);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.historyWaitMs);
    });
    const history = historyOf(agentId, offer).catch((err: unknown) => {
      this.log.warn({ err, callId: offer.callId }, 'caller history for the offer failed; the console fetches it');
      return null;
    });
    let painted!: Promise<void>;
    const sent = Promise.race([history, late]).then((h) => {
      clearTimeout(timer);
      painted = this.emitOffer(agentId, h ? { ...offer, history: h } : offer);
    });
    this.offering.set(offer.callId, sent);
    void sent.finally(() => {
      if (this.offering.get(offer.callId) === sent) this.offering.delete(offer.callId);
    });
    return sent.then(() => painted);
  };

  offerEnded: AcdPushes['offerEnded'] = (agentId, callId, reason) => {
    const emit = () => this.io.to(rooms.user(agentId)).emit('acd:offer-ended', { callId, reason });
    const pending = this.offering.get(callId);
    if (pending) void pending.then(emit);
    else emit();
  };

  queueChanged: AcdPushes['queueChanged'] = (queueId) => {
    if (this.stopped) return;
    this.dirty.add(queueId);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const ids = [...this.dirty];
      this.dirty.clear();
      this.sendQueues(ids).catch((err: unknown) => this.log.error({ err }, 'pushing queue pictures failed'));
    }, this.coalesceMs);
    this.timer.unref();
  };

  callbacksChanged: AcdPushes['callbacksChanged'] = (taskIds) => {
    if (this.stopped) return;
    this.callbacks.audience(taskIds).then(
      (list) => {
        for (const { task, groupIds } of list) if (groupIds.length) this.io.to(groupIds.map(rooms.group)).emit('acd:callback-changed', task);
      },
      (err: unknown) => this.log.error({ err }, 'pushing callback tasks failed'),
    );
  };

  private async sendQueues(ids: string[]): Promise<void> {
    if (this.stopped) return;
    for (const snap of await this.queues.snapshots(ids)) {
      const groups = await this.queues.groupsOf(snap.queueId);
      if (groups.length) this.io.to(groups.map(rooms.floor)).emit('acd:queue-changed', snap);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
