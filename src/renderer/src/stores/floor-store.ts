/**
 * The wallboard's snapshot of the floor: agents of the supervisor's groups as the server
 * last told us (a full snapshot on every (re)connect, then agent:* pushes). A push never
 * rolls a status back: the newer `since` wins, so a delta that raced the snapshot is kept;
 * today's figures likewise keep whichever the server computed last (`at`).
 */
import { create } from 'zustand';
import type { AgentStatus } from '../../../shared/api/agent-state.js';
import type { AgentDayFigures, FloorAgent, FloorSnapshot, LiveCall } from '../../../shared/api/supervisor.js';

interface FloorStore {
  groups: FloorSnapshot['groups'];
  agents: Record<string, FloorAgent>;
  /** When the server computed each agent's `today` (ms). */
  figuresAt: Record<string, number>;
  loaded: boolean;
  error: string | null;
  snapshot(s: FloorSnapshot): void;
  stateChanged(s: AgentStatus): void;
  callChanged(agentId: string, liveCall: LiveCall | null): void;
  monitorChanged(agentId: string, monitor: FloorAgent['monitor']): void;
  figuresChanged(agentId: string, today: AgentDayFigures, at: string): void;
  setError(error: string | null): void;
  clear(): void;
}

const newer = (a: AgentStatus, b: AgentStatus): AgentStatus => (Date.parse(b.since) >= Date.parse(a.since) ? b : a);

export const useFloorStore = create<FloorStore>()((set) => ({
  groups: [],
  agents: {},
  figuresAt: {},
  loaded: false,
  error: null,
  snapshot: (snap) =>
    set((s) => {
      const agents: Record<string, FloorAgent> = {};
      const figuresAt: Record<string, number> = {};
      const snapAt = Date.parse(snap.at);
      for (const a of snap.agents) {
        const known = s.agents[a.agentId];
        const knownAt = s.figuresAt[a.agentId] ?? 0;
        const keepFigures = known !== undefined && knownAt > snapAt;
        agents[a.agentId] = known ? { ...a, status: newer(a.status, known.status), today: keepFigures ? known.today : a.today } : a;
        figuresAt[a.agentId] = keepFigures ? knownAt : snapAt;
      }
      return { groups: snap.groups, agents, figuresAt, loaded: true, error: null };
    }),
  stateChanged: (status) =>
    set((s) => {
      const a = s.agents[status.agentId];
      if (!a) return s;
      return { agents: { ...s.agents, [status.agentId]: { ...a, status: newer(a.status, status) } } };
    }),
  callChanged: (agentId, liveCall) =>
    set((s) => {
      const a = s.agents[agentId];
      return a ? { agents: { ...s.agents, [agentId]: { ...a, liveCall } } } : s;
    }),
  monitorChanged: (agentId, monitor) =>
    set((s) => {
      const a = s.agents[agentId];
      return a ? { agents: { ...s.agents, [agentId]: { ...a, monitor } } } : s;
    }),
  figuresChanged: (agentId, today, at) =>
    set((s) => {
      const a = s.agents[agentId];
      const t = Date.parse(at);
      if (!a || (s.figuresAt[agentId] ?? 0) > t) return s;
      return { agents: { ...s.agents, [agentId]: { ...a, today } }, figuresAt: { ...s.figuresAt, [agentId]: t } };
    }),
  setError: (error) => set({ error }),
  clear: () => set({ groups: [], agents: {}, figuresAt: {}, loaded: false, error: null }),
}));
