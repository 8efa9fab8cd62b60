/**
 * The agent console's side of supervision: reports the answered call to the backend (the
 * wallboard shows it; monitoring grants are bound to it), checks monitoring grants for the
 * softphone, applies mode switches pushed by the backend, and pops up supervisors'
 * messages and forced 示忙/签出.
 */
import { api } from '../../../../shared/api/index.js';
import type { AnsweredCallHook } from '../softphone/calls';
import type { SoftphoneOptions } from '../softphone/softphone';
import { softphone } from '../softphone';
import { useConnectionStore } from '../../stores/connection-store';
import { useEscalationStore } from '../../stores/escalation-store';
import { useMonitorStore } from '../../stores/monitor-store';
import { createLogger } from '../log';
import { realtimeSocket, type RealtimeSocket } from '../realtime';
import { call } from '../session';

const log = createLogger('supervision');

/** What the softphone needs to accept supervisors' monitoring legs. */
export const agentMonitoring: NonNullable<SoftphoneOptions['monitoring']> = {
  redeem: (grant, sipCallId) => call(api.redeemMonitor, { body: { grant, sipCallId } }),
  ended: (sessionId, reason) => {
    call(api.endMonitor, { params: { id: sessionId }, body: { reason } }).catch((err: unknown) => log.warn('reporting the end of monitoring failed', err));
  },
  setIndicator: (v) => useMonitorStore.getState().setIndicator(v),
};

interface Reported {
  sipCallId: string;
  body: { sipCallId: string; direction: 'inbound' | 'outbound'; remoteNumber: string; answeredAt: string };
}
/** Answered calls still live, newest last: the newest is the one reported. */
const liveCalls: Reported[] = [];
let reporting: Promise<unknown> = Promise.resolve();

/** One request at a time, in order, so a quick end never overtakes its start. */
function enqueue(fn: () => Promise<unknown>): void {
  reporting = reporting.then(fn).catch((err: unknown) => log.warn('reporting the live call failed', err));
}

/**
 * Answered-call hook: the call this agent is on, for the floor and for monitoring. The newest
 * answered call is reported (a consultation, a transfer landing here); when it ends, the one
 * still live before it is reported again.
 */
export const reportLiveCalls: AnsweredCallHook = (info) => {
  const r: Reported = { sipCallId: info.sipCallId, body: { sipCallId: info.sipCallId, direction: info.direction, remoteNumber: info.remoteNumber, answeredAt: new Date().toISOString() } };
  liveCalls.push(r);
  enqueue(() => call(api.reportLiveCall, { body: r.body }));
  return () => {
    const i = liveCalls.indexOf(r);
    const wasCurrent = i === liveCalls.length - 1;
    if (i >= 0) liveCalls.splice(i, 1);
    enqueue(() => call(api.clearLiveCall, { query: { sipCallId: r.sipCallId } }));
    const previous = liveCalls.at(-1);
    if (wasCurrent && previous) enqueue(() => call(api.reportLiveCall, { body: previous.body }));
  };
};

/** SIP Call-ID of the call this agent is on now (the one the floor shows), if any. */
export function currentLiveCallId(): string | null {
  return liveCalls.at(-1)?.sipCallId ?? null;
}

/** Runs every hook; the returned cleanup runs every cleanup. A failing hook never stops the others. */
export function bothHooks(...hooks: AnsweredCallHook[]): AnsweredCallHook {
  return (info, local, remote, side) => {
    const cleanups = hooks.map((h) => {
      try {
        return h(info, local, remote, side);
      } catch (err) {
        log.warn('answered-call hook failed', err);
        return undefined;
      }
    });
    return () => {
      for (const c of cleanups) c?.();
    };
  };
}

/** Listens to supervision pushes on every (re)created realtime socket. Call once from main.tsx. */
export function installSupervisionListeners(): void {
  let attached: RealtimeSocket | null = null;
  const attach = (): void => {
    const s = realtimeSocket();
    if (!s || s === attached) return;
    attached = s;
    s.on('monitor:mode-changed', ({ sessionId, mode, showIndicator }) => softphone().applyMonitorMode(sessionId, mode, showIndicator));
    s.on('supervisor:message', (m) => useMonitorStore.getState().addNote({ kind: 'message', from: m.from.name, text: m.text, at: m.at }));
    s.on('escalation:changed', (e) => useEscalationStore.getState().changed(e));
    s.on('supervisor:forced', (f) =>
      useMonitorStore.getState().addNote({ kind: f.action === 'sign_out' ? 'forced_sign_out' : 'forced_not_ready', from: f.by, text: '', at: f.at }),
    );
  };
  attach();
  useConnectionStore.subscribe(attach);
}
