/**
 * Supervision snapshots. Agent console: whether to show that a supervisor is on the call
 * (only when the site shows it), and messages/forced actions from supervisors to pop up.
 * Supervisor page: the monitoring session this supervisor runs. Live objects (sip.js,
 * WebAudio) stay in services/softphone/monitor-leg.ts and services/supervision/.
 */
import { create } from 'zustand';
import type { MonitorMode } from '../../../shared/api/supervisor.js';

export interface AgentIndicator {
  mode: MonitorMode;
  supervisorName: string;
}

export interface SupervisorNote {
  seq: number;
  kind: 'message' | 'forced_not_ready' | 'forced_sign_out';
  from: string;
  text: string;
  at: string;
}

export type MonitorStatus = 'requesting' | 'calling' | 'active' | 'ended' | 'failed';

export interface SupervisorMonitorView {
  sessionId: string | null;
  agentId: string;
  agentName: string;
  mode: MonitorMode;
  status: MonitorStatus;
  /** Pending mode switch, while the backend is asked. */
  switching: boolean;
  /** Why it failed (server message or SIP code). */
  error: string | null;
}

interface MonitorStore {
  indicator: AgentIndicator | null;
  notes: SupervisorNote[];
  session: SupervisorMonitorView | null;
  setIndicator(v: AgentIndicator | null): void;
  addNote(n: Omit<SupervisorNote, 'seq'>): void;
  setSession(v: SupervisorMonitorView | null): void;
  patchSession(p: Partial<SupervisorMonitorView>): void;
}

let seq = 0;

export const useMonitorStore = create<MonitorStore>()((set) => ({
  indicator: null,
  notes: [],
  session: null,
  setIndicator: (indicator) => set({ indicator }),
  addNote: (n) => set((s) => ({ notes: [...s.notes.slice(-9), { ...n, seq: ++seq }] })),
  setSession: (session) => set({ session }),
  patchSession: (p) => set((s) => (s.session ? { session: { ...s.session, ...p } } : s)),
}));
