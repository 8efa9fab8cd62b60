/**
 * The agent's 升级/求助: the backend picks an online supervisor of the agent's group, then the
 * softphone's attended transfer does the rest — the caller is held and the supervisor's
 * extension is called as the consult leg with the escalation id in X-Hotline-Escalation
 * (their console rings it as a 求助). 完成转接 hands the caller to the supervisor; 取消咨询
 * returns to the caller. The outcome is reported to the backend (audited).
 */
import { api } from '../../../../shared/api/index.js';
import { ESCALATION_HEADER, type Escalation } from '../../../../shared/api/supervisor.js';
import { useEscalationStore } from '../../stores/escalation-store';
import { useSoftphoneStore } from '../../stores/softphone-store';
import { isApiCallError } from '../api-client';
import { createLogger } from '../log';
import { call } from '../session';
import { softphone } from '../softphone';
import { currentLiveCallId } from './agent-side';

const log = createLogger('supervision.escalation');

function report(e: Escalation, state: 'transferred' | 'cancelled' | 'failed'): void {
  call(api.escalationState, { params: { id: e.id }, body: { state } }).catch((err: unknown) => {
    // Already over (the supervisor declined first): nothing to add.
    if (!(isApiCallError(err) && err.code === 'CONFLICT')) log.warn('reporting the 求助 outcome failed', err);
  });
}

/** 求助 on the current call. Resolves once the consult call to the supervisor is placed (or it failed). */
export async function askForHelp(): Promise<void> {
  const store = useEscalationStore.getState();
  const sipCallId = currentLiveCallId();
  if (!sipCallId) return;
  store.setAsked({ escalation: null, status: 'asking', error: null });
  let e: Escalation;
  try {
    e = await call(api.requestEscalation, { body: { sipCallId } });
  } catch (err) {
    store.setAsked({ escalation: null, status: 'failed', error: isApiCallError(err) ? err.message : String(err) });
    return;
  }
  useEscalationStore.getState().setAsked({ escalation: e, status: 'calling', error: null });
  const primaryId = useSoftphoneStore.getState().calls.find((c) => c.role === 'primary' && c.status !== 'ended')?.id ?? null;
  const consultId = await softphone().startConsult(e.supervisor.extension, [`${ESCALATION_HEADER}: ${e.id}`]);
  if (!consultId) {
    useEscalationStore.getState().patchAsked({ status: 'failed', error: null });
    report(e, 'failed');
    return;
  }
  // How it ended: the caller's leg ends as 'transferred' when 完成转接 went through (the
  // supervisor's Replaces usually ends the consult leg first, as a plain hang-up); the consult
  // leg ending while the caller's leg stays is a cancel (or the supervisor declined).
  let grace: ReturnType<typeof setTimeout> | null = null;
  const finish = (state: 'transferred' | 'cancelled' | 'failed'): void => {
    stop();
    if (grace) clearTimeout(grace);
    useEscalationStore.getState().patchAsked({ status: 'ended' });
    report(e, state);
  };
  const stop = useSoftphoneStore.subscribe((s) => {
    const primary = s.calls.find((c) => c.id === primaryId);
    const consult = s.calls.find((c) => c.id === consultId);
    if (primary?.status === 'ended' && primary.end?.reason === 'transferred') return finish('transferred');
    if (consult && consult.status !== 'ended') return;
    grace ??= setTimeout(() => {
      const p = useSoftphoneStore.getState().calls.find((c) => c.id === primaryId);
      if (p?.status === 'ended' && p.end?.reason === 'transferred') finish('transferred');
      else finish(consult?.answeredAt ? 'cancelled' : consult?.end?.reason === 'failed' || consult?.end?.reason === 'rejected' ? 'failed' : 'cancelled');
    }, 3000);
  });
}
