/**
 * Keeps stores/floor-store live while the wallboard is open: on every (re)connected socket
 * it subscribes to the floor pushes first, then loads the full snapshot (so nothing falls
 * between the two), and follows agent:state-changed / call / monitor / figures deltas;
 * reloads after local midnight, when the day's figures start again.
 */
import { api } from '../../../../shared/api/index.js';
import type { QueueSnapshot } from '../../../../shared/api/acd.js';
import { msUntilNextLocalDay } from '../../../../shared/call-kpis.js';
import { useConnectionStore } from '../../stores/connection-store';
import { useFloorStore } from '../../stores/floor-store';
import { isApiCallError } from '../api-client';
import { createLogger } from '../log';
import { realtimeSocket, type RealtimeSocket } from '../realtime';
import { call } from '../session';

const log = createLogger('supervision.floor');

export interface QueueFeed {
  /** null: the ACD's live-queue endpoint is not available on this server. */
  onQueues(queues: QueueSnapshot[] | null): void;
  onQueue(q: QueueSnapshot): void;
}

/** Starts following the floor; returns the stop function (page unmount). */
export function followFloor(queues: QueueFeed): () => void {
  let socket: RealtimeSocket | null = null;
  const store = useFloorStore.getState();
  const onState = store.stateChanged;
  const onCall = (p: { agentId: string; liveCall: Parameters<typeof store.callChanged>[1] }) => useFloorStore.getState().callChanged(p.agentId, p.liveCall);
  const onMonitor = (p: { agentId: string; monitor: Parameters<typeof store.monitorChanged>[1] }) => useFloorStore.getState().monitorChanged(p.agentId, p.monitor);
  const onFigures = (p: { agentId: string; today: Parameters<typeof store.figuresChanged>[1]; at: string }) => useFloorStore.getState().figuresChanged(p.agentId, p.today, p.at);
  const onQueue = (q: QueueSnapshot) => queues.onQueue(q);
  let loadSeq = 0;

  const load = async (): Promise<void> => {
    const seq = ++loadSeq;
    try {
      const snap = await call(api.floorSnapshot);
      if (seq === loadSeq) useFloorStore.getState().snapshot(snap);
    } catch (err) {
      log.warn('wallboard snapshot failed', err);
      if (seq === loadSeq) useFloorStore.getState().setError(isApiCallError(err) ? err.message : String(err));
    }
    try {
      const live = await call(api.liveQueues);
      queues.onQueues(live.queues);
    } catch (err) {
      // The ACD's queue endpoint may not exist on this server yet: the page shows a placeholder.
      queues.onQueues(null);
      if (!(isApiCallError(err) && err.code === 'NOT_FOUND')) log.warn('queue snapshot failed', err);
    }
  };

  const detach = (): void => {
    if (!socket) return;
    socket.off('agent:state-changed', onState);
    socket.off('agent:call-changed', onCall);
    socket.off('agent:monitor-changed', onMonitor);
    socket.off('agent:figures-changed', onFigures);
    socket.off('acd:queue-changed', onQueue);
    socket.off('connect', onConnect);
    socket = null;
  };
  const onConnect = (): void => void load();
  const attach = (): void => {
    const s = realtimeSocket();
    if (s === socket) return;
    detach();
    if (!s) return;
    socket = s;
    s.on('agent:state-changed', onState);
    s.on('agent:call-changed', onCall);
    s.on('agent:monitor-changed', onMonitor);
    s.on('agent:figures-changed', onFigures);
    s.on('acd:queue-changed', onQueue);
    // A reconnect may have missed deltas: a fresh snapshot each time.
    s.on('connect', onConnect);
    if (s.connected) void load();
  };
  attach();
  const unsubscribe = useConnectionStore.subscribe(attach);
  // Today's figures start again at midnight even when nothing happens on the floor: reload
  // just after it (2 s later, so the server's clock has passed it too).
  let midnight: ReturnType<typeof setTimeout> | null = null;
  const reloadAtMidnight = (): void => {
    midnight = setTimeout(() => {
      if (socket?.connected) void load();
      reloadAtMidnight();
    }, msUntilNextLocalDay(new Date()) + 2000);
  };
  reloadAtMidnight();
  return () => {
    if (midnight) clearTimeout(midnight);
    unsubscribe();
    detach();
    loadSeq++;
  };
}
