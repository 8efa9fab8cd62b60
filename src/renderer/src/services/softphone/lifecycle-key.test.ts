import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../../shared/api/agent-state.js';
import type { CurrentUser } from '../../../../shared/api/accounts.js';
import type { SessionView } from '../../stores/session-store';
import { phoneKey } from './lifecycle-key';

const ID = '00000000-0000-4000-8000-000000000001';
const user = (over: Partial<CurrentUser> = {}): CurrentUser => ({ id: ID, roles: ['agent'], extension: '1001', ...over }) as CurrentUser;
const signedIn = (u = user()): SessionView => ({ status: 'signed-in', user: u });
const agent = (kind: 'signed_out' | 'ready' | 'not_ready', agentId = ID): AgentStatus => ({
  agentId,
  state: kind === 'not_ready' ? { kind, reason: 'sign_in' } : { kind },
  since: '2025-01-01T08:00:00Z',
  wrapUpDeadline: null,
});

describe('when the agent’s softphone runs', () => {
  it('runs while 签入ed with an extension', () => {
    expect(phoneKey(signedIn(), agent('not_ready'))).toBe(`${ID}:1001`);
    expect(phoneKey(signedIn(), agent('ready'))).toBe(`${ID}:1001`);
  });

  it('stops at 签出, and waits while the state is unknown', () => {
    expect(phoneKey(signedIn(), agent('signed_out'))).toBeNull();
    expect(phoneKey(signedIn(), null)).toBeNull();
    expect(phoneKey(signedIn(), agent('ready', '00000000-0000-4000-8000-000000000002'))).toBeNull();
  });

  it('never runs without a session, the console permission or an extension', () => {
    expect(phoneKey({ status: 'signed-out', ended: null, resumeFailed: false }, agent('ready'))).toBeNull();
    expect(phoneKey(signedIn(user({ extension: null })), agent('ready'))).toBeNull();
    expect(phoneKey(signedIn(user({ roles: ['supervisor'] })), agent('ready'))).toBeNull();
  });
});
