/**
 * Whether the console may ask to go 示闲 (ready): a ready agent is offered calls, so the
 * softphone must be registered and the microphone must have passed a device check during
 * this console session. Pure; services/agent-state runs the check when the decision says so.
 */
import type { DeviceCheckView, RegistrationStatus } from '../../stores/softphone-store';

/** Why 示闲 was refused before asking the server (translated as `agentState.gate.<code>`). */
export type ReadyRefusal = 'noExtension' | 'notRegistered' | 'micFailed';

export type ReadyGateDecision =
  | { action: 'send' }
  | { action: 'refuse'; refusal: ReadyRefusal }
  /** No device check since this session began: run one, then decide again. */
  | { action: 'runCheck' }
  /** A device check is running: wait for its result, then decide again. */
  | { action: 'waitForCheck' };

export interface ReadyGateInput {
  hasExtension: boolean;
  registration: RegistrationStatus;
  deviceCheck: Pick<DeviceCheckView, 'status' | 'checkedAt' | 'items'>;
  /** When this console session began (epoch ms); earlier checks do not count. */
  sessionStartedAt: number;
}

/** A device check that finished during this session (null: none yet, or still running). */
export function checkIsCurrent(check: ReadyGateInput['deviceCheck'], sessionStartedAt: number): boolean {
  return check.status !== 'running' && check.status !== 'idle' && check.checkedAt !== null && check.checkedAt >= sessionStartedAt;
}

export function readyGate(input: ReadyGateInput): ReadyGateDecision {
  if (!input.hasExtension) return { action: 'refuse', refusal: 'noExtension' };
  if (input.registration !== 'registered') return { action: 'refuse', refusal: 'notRegistered' };
  if (input.deviceCheck.status === 'running') return { action: 'waitForCheck' };
  if (!checkIsCurrent(input.deviceCheck, input.sessionStartedAt)) return { action: 'runCheck' };
  if (input.deviceCheck.items.microphone !== 'ok') return { action: 'refuse', refusal: 'micFailed' };
  return { action: 'send' };
}
