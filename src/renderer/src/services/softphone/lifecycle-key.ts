/**
 * When the agent's softphone runs (pure; lifecycle.ts acts on it): a user who may use the
 * console (console:use), has an extension, and is 签入ed, i.e. their agent state is known
 * and not 签出. 签出 revokes the extension's SIP credentials on the server, so the phone
 * must stop then, and start again at 签入.
 */
import type { AgentStatus } from '../../../../shared/api/agent-state.js';
import { can } from '../../../../shared/roles.js';
import type { SessionView } from '../../stores/session-store';

/** Identifies the phone that should be running (user and extension), or null for none. */
export function phoneKey(view: SessionView, agent: AgentStatus | null): string | null {
  if (view.status !== 'signed-in') return null;
  const { user } = view;
  if (!can(user.roles, 'console:use') || !user.extension) return null;
  if (!agent || agent.agentId !== user.id || agent.state.kind === 'signed_out') return null;
  return `${user.id}:${user.extension}`;
}
