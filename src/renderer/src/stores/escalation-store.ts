/**
 * 升级/求助 snapshots. Agent console: the 求助 this agent asked for (who was picked, how it
 * stands). Supervisor page: the 求助 call ringing or connected on this supervisor's phone.
 * Live objects (sip.js sessions, audio) stay in services/supervision/.
 */
import { create } from 'zustand';
import type { Escalation } from '../../../shared/api/supervisor.js';

export interface AgentEscalationView {
  escalation: Escalation | null;
  /** asking: the backend picks; calling: the consult leg rings the supervisor. */
  status: 'asking' | 'calling' | 'ended' | 'failed';
  error: string | null;
}

export interface SupervisorEscalationView {
  id: string;
  /** From the escalation:changed push (may arrive just after the call). */
  escalation: Escalation | null;
  /** ringing → talking (with the agent) → with_caller (the agent completed: the caller is ours) → ended. */
  status: 'ringing' | 'talking' | 'with_caller' | 'ended';
}

interface EscalationStore {
  asked: AgentEscalationView | null;
  incoming: SupervisorEscalationView | null;
  /** Escalations pushed to this supervisor, by id (the card's details). */
  known: Record<string, Escalation>;
  setAsked(v: AgentEscalationView | null): void;
  patchAsked(p: Partial<AgentEscalationView>): void;
  setIncoming(v: SupervisorEscalationView | null): void;
  patchIncoming(p: Partial<SupervisorEscalationView>): void;
  changed(e: Escalation): void;
}

export const useEscalationStore = create<EscalationStore>()((set) => ({
  asked: null,
  incoming: null,
  known: {},
  setAsked: (asked) => set({ asked }),
  patchAsked: (p) => set((s) => (s.asked ? { asked: { ...s.asked, ...p } } : s)),
  setIncoming: (incoming) => set((s) => ({ incoming: incoming ? { ...incoming, escalation: incoming.escalation ?? s.known[incoming.id] ?? null } : null })),
  patchIncoming: (p) => set((s) => (s.incoming ? { incoming: { ...s.incoming, ...p } } : s)),
  changed: (e) =>
    set((s) => ({
      known: { ...s.known, [e.id]: e },
      incoming: s.incoming?.id === e.id ? { ...s.incoming, escalation: e } : s.incoming,
      asked: s.asked?.escalation?.id === e.id ? { ...s.asked, escalation: e } : s.asked,
    })),
}));
