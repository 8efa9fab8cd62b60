/**
 * 坐席状态 as a plain snapshot: the signed-in agent's status as the server last told us
 * (command responses, the `agent:state-changed` push, re-fetches), the site's reasons, the
 * command in flight and the last error. The server is the authority: nothing here computes a
 * next state. Writers: services/agent-state (REST, lifecycle) and services/realtime (push).
 */
import { create } from 'zustand';
import type { AgentCommand, AgentStatus } from '../../../shared/api/agent-state.js';
import type { ErrorCode } from '../../../shared/errors.js';
import type { BreakOverrun } from '../../../shared/realtime.js';
import type { ReadyRefusal } from '../services/agent-state/ready-gate';

export type AgentCommandType = AgentCommand['type'];

export interface AgentReason {
  code: string;
  label: string;
}

export interface AgentReasons {
  notReady: AgentReason[];
  /** `maxSeconds`: a longer 小休 is overrun (red timer, supervisors told). */
  break: (AgentReason & { maxSeconds?: number | undefined })[];
  wrapUpSeconds: number;
}

export interface AgentStatePending {
  command: AgentCommandType;
  /** The 示忙/小休 reason being sent. */
  reason: string | null;
  /** 示闲 waits for the device check first (`checking`), then the request (`sending`). */
  phase: 'checking' | 'sending';
}

export type AgentStateError =
  /** The server refused the command (409): its message is zh-CN text from the state machine. */
  | { kind: 'refused'; command: AgentCommandType; message: string }
  /** The request failed otherwise (network, validation, permissions). */
  | { kind: 'failed'; command: AgentCommandType | 'load'; code: ErrorCode; issues: string[] }
  /** 示闲 refused here before asking the server (softphone or microphone not usable). */
  | { kind: 'gate'; refusal: ReadyRefusal };

export interface AgentStateSnapshot {
  /** Whose state this is (the signed-in user); null when nobody uses the console. */
  agentId: string | null;
  /** When this console session began (epoch ms): device checks before it are stale. */
  sessionStartedAt: number | null;
  status: AgentStatus | null;
  reasons: AgentReasons | null;
  /** The server announced that a 小休 of this agent passed its maximum (matches `status.since` while it lasts). */
  overrun: BreakOverrun | null;
  load: 'idle' | 'loading' | 'loaded' | 'failed';
  pending: AgentStatePending | null;
  error: AgentStateError | null;
}

interface AgentStateActions {
  /** A console session starts for this agent (clears everything else). */
  begin(agentId: string, now?: number): void;
  reset(): void;
  setLoad(load: AgentStateSnapshot['load']): void;
  setReasons(reasons: AgentReasons): void;
  /** A status from the server (response, push or re-fetch); stale or foreign ones are ignored. */
  received(status: AgentStatus): void;
  /** The `agent:break-overrun` push; foreign ones are ignored. */
  breakOverrun(overrun: BreakOverrun): void;
  setPending(pending: AgentStatePending | null): void;
  setError(error: AgentStateError | null): void;
}

export type AgentStateStore = AgentStateSnapshot & AgentStateActions;

export function initialAgentState(): AgentStateSnapshot {
  return { agentId: null, sessionStartedAt: null, status: null, reasons: null, overrun: null, load: 'idle', pending: null, error: null };
}

/**
 * Which status to keep when one arrives: only this agent's, and never an older one (a GET
 * answered before a push can land after it). `since` is when the server entered the state.
 */
export function acceptStatus(agentId: string | null, current: AgentStatus | null, incoming: AgentStatus): AgentStatus | null {
  if (agentId === null || incoming.agentId !== agentId) return current;
  if (current && Date.parse(incoming.since) < Date.parse(current.since)) return current;
  return incoming;
}

export const useAgentStateStore = create<AgentStateStore>()((set) => ({
  ...initialAgentState(),
  begin: (agentId, now = Date.now()) => set({ ...initialAgentState(), agentId, sessionStartedAt: now }),
  reset: () => set(initialAgentState()),
  setLoad: (load) => set({ load }),
  setReasons: (reasons) => set({ reasons }),
  received: (status) => set((s) => ({ status: acceptStatus(s.agentId, s.status, status) })),
  breakOverrun: (overrun) => set((s) => (overrun.agentId === s.agentId ? { overrun } : s)),
  setPending: (pending) => set({ pending }),
  setError: (error) => set({ error }),
}));
