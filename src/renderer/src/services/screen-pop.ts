/**
 * Opens the incoming-call view (来电弹屏): at once when the ACD pushes `acd:offered`, and for
 * a direct call (no queue) when the softphone starts ringing, by the caller's number. Both
 * usually happen for a queue call; whichever comes first opens the view and the other joins
 * it (same normalised number). The caller's history comes with the ACD's offer (one push, no
 * request), or is fetched once per call when it did not (direct calls, a late history); it is
 * kept in stores/screen-pop-store.ts; the view stays up after the call so tickets can be filed.
 * The console acknowledges the offer once the pop is on screen: the backend rings the phone then.
 */
import { api } from '../../../shared/api/index.js';
import { normaliseCallerNumber } from '../../../shared/phone-number.js';
import type { AcdOffer } from '../../../shared/realtime.js';
import { useAgentStateStore } from '../stores/agent-state-store';
import { useConnectionStore } from '../stores/connection-store';
import { useScreenPopStore, type ScreenPop } from '../stores/screen-pop-store';
import { useSoftphoneStore, type CallView } from '../stores/softphone-store';
import { createLogger } from './log';
import { realtimeSocket, type RealtimeSocket } from './realtime';
import { call } from './session';

const log = createLogger('screen-pop');
const store = () => useScreenPopStore.getState();

/** Fetches (or re-fetches, after a ticket was filed) the history of the pop with this key. */
export async function loadHistory(key: string): Promise<void> {
  const pop = store().pop;
  if (!pop || pop.key !== key || !pop.number) return;
  store().patch(key, { loading: true });
  try {
    const history = await call(api.callerHistory, { params: { number: pop.number }, query: pop.callId ? { callId: pop.callId } : {} });
    // The caller may have been re-keyed meanwhile (direct → ACD): patch whatever pop has this number now.
    const now = store().pop;
    if (now && now.number === pop.number) store().patch(now.key, { history, loading: false, failed: false });
  } catch (err) {
    log.warn('caller history failed', err);
    store().patch(key, { loading: false, failed: true });
  }
}

function fresh(p: Pick<ScreenPop, 'key' | 'source' | 'callId' | 'caller' | 'number' | 'queueName' | 'waitedSeconds'>): ScreenPop {
  return { ...p, openedAt: Date.now(), status: 'ringing', endReason: null, history: null, loading: false, failed: false };
}

function offered(offer: AcdOffer): void {
  // For the bench: when the offer reached this console (epoch ms, comparable across pages).
  const w = window.__screenPop ?? (window.__screenPop = { painted: [], offered: [] });
  (w.offered ??= []).push({ callId: offer.callId, epochMs: performance.timeOrigin + performance.now() });
  const cur = store().pop;
  // The backend sends the caller's history with the offer when it had it in time: no request then.
  const history = offer.history ?? null;
  const patch = {
    source: 'acd' as const, callId: offer.callId, queueName: offer.queueName, waitedSeconds: offer.waitedSeconds,
    ...(history ? { history, loading: false, failed: false } : {}),
  };
  // The softphone rang first for this caller: the same call, now known to the ACD.
  if (cur && cur.source === 'direct' && cur.status === 'ringing' && cur.number === offer.callerNormalised) {
    store().rekey(cur.key, offer.callId, patch);
    if (!history && !cur.history && !cur.loading) void loadHistory(offer.callId);
    return;
  }
  if (cur?.key === offer.callId) return;
  store().open({ ...fresh({ key: offer.callId, caller: offer.caller, number: offer.callerNormalised, ...patch }), ...patch });
  if (!history) void loadHistory(offer.callId);
}

/**
 * A ready (or reserved) agent's phone rings mostly for ACD offers, whose push brings the history;
 * its INVITE and the push race. Such a ring waits this long for the offer before fetching.
 */
const OFFER_GRACE_MS = 400;

function offerExpected(): boolean {
  const kind = useAgentStateStore.getState().status?.state.kind;
  return kind === 'ready' || kind === 'reserved';
}

/** Fetches the pop's history unless an offer filled it (or a fetch started) meanwhile. */
function loadUnlessFilled(number: string): void {
  const cur = store().pop;
  if (cur && cur.number === number && !cur.history && !cur.loading) void loadHistory(cur.key);
}

function offerEnded(callId: string, reason: ScreenPop['endReason']): void {
  const cur = store().pop;
  if (cur?.key !== callId) return;
  store().patch(callId, reason === 'answered' ? { status: 'answered' } : { status: 'ended', endReason: reason });
}

/** Softphone calls: a ringing inbound call nobody popped yet pops by its number; answer and hang-up follow. */
function softphoneChanged(calls: CallView[], previous: CallView[]): void {
  for (const c of calls) {
    if (c.direction !== 'inbound') continue;
    const before = previous.find((p) => p.id === c.id);
    if (c.status === 'ringing' && !before) {
      const number = normaliseCallerNumber(c.remoteNumber);
      const cur = store().pop;
      const sameCall = cur && cur.status === 'ringing' && cur.number === number && Date.now() - cur.openedAt < 60_000;
      if (!sameCall) {
        const key = `direct:${c.id}`;
        store().open(fresh({ key, source: 'direct', callId: null, caller: c.remoteNumber, number, queueName: null, waitedSeconds: null }));
        if (offerExpected()) setTimeout(() => loadUnlessFilled(number), OFFER_GRACE_MS);
        else void loadHistory(key);
      }
    }
    const cur = store().pop;
    if (!cur || cur.number !== normaliseCallerNumber(c.remoteNumber)) continue;
    if (c.status === 'established' && before?.status !== 'established' && cur.status === 'ringing') store().patch(cur.key, { status: 'answered' });
    if (c.status === 'ended' && before?.status !== 'ended' && cur.status !== 'ended') {
      store().patch(cur.key, { status: 'ended', endReason: c.answeredAt ? 'hangup' : (cur.endReason ?? 'abandoned') });
    }
  }
}

/**
 * Tells the backend the pop is on screen: after the next frame (a hidden page paints no
 * frames: at once). The backend rings the phone then, so the ringing softphone's render does
 * not hold up the pop's first paint.
 */
function afterPaint(painted: (() => void) | undefined): void {
  if (typeof painted !== 'function') return;
  if (document.visibilityState === 'hidden') painted();
  else requestAnimationFrame(() => setTimeout(painted, 0));
}

/** Installs the listeners on every (re)created realtime socket and on the softphone. Call once from main.tsx. */
export function installScreenPop(): void {
  let attached: RealtimeSocket | null = null;
  const attach = (): void => {
    const s = realtimeSocket();
    if (!s || s === attached) return;
    attached = s;
    s.on('acd:offered', (offer, painted) => {
      offered(offer);
      afterPaint(painted);
    });
    s.on('acd:offer-ended', ({ callId, reason }) => offerEnded(callId, reason));
  };
  attach();
  useConnectionStore.subscribe(attach);
  useSoftphoneStore.subscribe((s, prev) => {
    if (s.calls !== prev.calls) softphoneChanged(s.calls, prev.calls);
  });
}
