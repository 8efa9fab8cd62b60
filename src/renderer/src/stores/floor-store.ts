/**
 * The wallboard's snapshot of the floor: agents of the supervisor's groups as the server
 * last told us (a full snapshot on every (re)connect, then agent:* pushes). A push never
 * rolls a status back: the newer `since` wins, so a delta that raced the snapshot is kept.
 */
import { create } from 'zustand';
import type { AgentStatus } from '../../../shared/api/agent-state.js';
import type { FloorAgent, FloorSnapshot, LiveCall } from '../../../shared/api/supervisor.js';

interface FloorStore {
  groups: FloorSnapshot['groups'];
  agents: Record<string, FloorAgent>;
  loaded: boolean;
  error: string | null;
  snapshot(s: FloorSnapshot): void;
  stateChanged(s: AgentStatus): void;
  callChanged(agentId: string, liveCall: LiveCall | null): void;
  monitorChanged(agentId: string, monitor: FloorAgent['monitor']): void;
  setError(error: string | null): void;
  clear(): void;
}

const newer = (a: AgentStatus, b: AgentStatus): AgentStatus => (Date.parse(b.since) >= Date.parse(a.since) ? b : a);

export const useFloorStore = create<FloorStore>()((set) => ({
  groups: [],
  agents: {},
  loaded: false,
  error: null,
  snapshot: (snap) =>
    set((s) => {
      const agents: Record<string, FloorAgent> = {};
      for (const a of snap.agents) {
        const known = s.agents[a.agentId];
        agents[a.agentId] = known ? { ...a, status: newer(a.status, known.status) } : a;
      }
      return { groups: snap.groups, agents, loaded: true, error: null };
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
  setError: (error) => set({ error }),
  clear: () => set({ groups: [], agents: {}, loaded: false, error: null }),
}));
