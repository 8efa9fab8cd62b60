import { beforeEach, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../shared/api/agent-state.js';
import { acceptStatus, useAgentStateStore } from './agent-state-store';

const ME = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';
const status = (since: string, over: Partial<AgentStatus> = {}): AgentStatus => ({
  agentId: ME,
  state: { kind: 'ready' },
  since,
  wrapUpDeadline: null,
  ...over,
});

describe('accepting statuses from the server', () => {
  it('keeps only this agent’s statuses (supervisor pushes share the socket)', () => {
    expect(acceptStatus(ME, null, status('2025-01-01T08:00:00Z', { agentId: OTHER }))).toBeNull();
    expect(acceptStatus(null, null, status('2025-01-01T08:00:00Z'))).toBeNull();
  });

  it('never goes back to an older state (a slow GET after a push)', () => {
    const newer = status('2025-01-01T08:00:05Z', { state: { kind: 'break', reason: 'rest' } });
    const older = status('2025-01-01T08:00:00Z');
    expect(acceptStatus(ME, newer, older)).toBe(newer);
    expect(acceptStatus(ME, older, newer)).toBe(newer);
    const same = status('2025-01-01T08:00:05Z', { state: { kind: 'break', reason: 'rest' } });
    expect(acceptStatus(ME, newer, same)).toBe(same);
  });
});

describe('agent state store', () => {
  beforeEach(() => useAgentStateStore.getState().reset());

  it('starts a session clean and drops everything at reset', () => {
    const s = useAgentStateStore.getState();
    s.begin(ME, 42);
    s.received(status('2025-01-01T08:00:00Z'));
    s.setError({ kind: 'gate', refusal: 'micFailed' });
    expect(useAgentStateStore.getState()).toMatchObject({ agentId: ME, sessionStartedAt: 42, status: { state: { kind: 'ready' } } });
    s.begin(ME, 43);
    expect(useAgentStateStore.getState()).toMatchObject({ status: null, error: null, sessionStartedAt: 43 });
    s.reset();
    expect(useAgentStateStore.getState().agentId).toBeNull();
  });
});
