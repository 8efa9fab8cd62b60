/**
 * Live ACD facts over Socket.IO: the offer to the agent it rings (screen pop), the end of that
 * offer, queue pictures to the floors of the queue's groups (coalesced: a burst of changes to
 * one queue sends one picture), and callback tasks to the agents of the queue's groups.
 */
import { rooms } from '../../../shared/realtime.js';
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

  offered: AcdPushes['offered'] = (agentId, offer) => {
    this.io.to(rooms.user(agentId)).emit('acd:offered', offer);
  };

  offerEnded: AcdPushes['offerEnded'] = (agentId, callId, reason) => {
    this.io.to(rooms.user(agentId)).emit('acd:offer-ended', { callId, reason });
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
