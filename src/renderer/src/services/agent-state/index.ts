/**
 * 坐席状态 of the signed-in agent: loads it when a console session starts (state and the
 * site's reasons), 签入s automatically when the agent opens the console 签出 (seat PCs sign
 * in at login; the agent stays 示忙 · 刚签入 until they click 示闲), sends the agent's
 * commands, and re-fetches after the realtime connection comes back (pushes may have been
 * missed meanwhile). 示闲 is gated on the softphone first (ready-gate.ts).
 *
 * The server is the authority: every status shown comes from a response, a push
 * (`agent:state-changed`, wired in services/realtime.ts) or a re-fetch; a refused command
 * (409) shows the server's reason and re-fetches. Writes stores/agent-state-store only.
 * Call `installAgentStateLifecycle()` once from main.tsx.
 */
import { api } from '../../../../shared/api/index.js';
import type { AgentCommand } from '../../../../shared/api/agent-state.js';
import { can } from '../../../../shared/roles.js';
import { assertNever } from '../../app/assert-never';
import { useAgentStateStore, type AgentCommandType, type AgentStateError } from '../../stores/agent-state-store';
import { useConnectionStore } from '../../stores/connection-store';
import { useSessionStore, type SessionView } from '../../stores/session-store';
import { useSoftphoneStore } from '../../stores/softphone-store';
import { isApiCallError } from '../api-client';
import { createLogger } from '../log';
import { call } from '../session';
import { softphone } from '../softphone';
import { readyGate } from './ready-gate';

const log = createLogger('agent-state');

const LOAD_RETRY_MS = 5_000;
/** A device check takes a few seconds (2 s of listening, test sounds, ICE gathering). */
const CHECK_WAIT_MS = 30_000;

/** Bumps with every console session; answers that belong to an older one are dropped. */
let generation = 0;
/** The first successful load of a session 签入s an agent who is 签出. */
let autoSignInDue = false;
let everConnected = false;
let retryTimer: ReturnType<typeof setTimeout> | null = null;

const store = () => useAgentStateStore.getState();

/** The user whose agent state this console shows: signed in and allowed to use the console. */
function consoleAgent(view: SessionView): string | null {
  return view.status === 'signed-in' && can(view.user.roles, 'console:use') ? view.user.id : null;
}

function clearRetry(): void {
  if (retryTimer !== null) clearTimeout(retryTimer);
  retryTimer = null;
}

function errorOf(command: AgentCommandType | 'load', err: unknown): AgentStateError {
  if (!isApiCallError(err)) return { kind: 'failed', command, code: 'INTERNAL', issues: [] };
  if (err.code === 'CONFLICT' && command !== 'load') return { kind: 'refused', command, message: err.message };
  return { kind: 'failed', command, code: err.code, issues: err.code === 'VALIDATION_FAILED' ? (err.error.issues ?? []).map((i) => i.message) : [] };
}

/** GET state and reasons; the first success of a session may 签入. Failures retry. */
async function load(gen: number): Promise<void> {
  if (store().status === null) store().setLoad('loading');
  try {
    const [status, reasons] = await Promise.all([call(api.myAgentState), call(api.agentReasons)]);
    if (gen !== generation) return;
    const s = store();
    s.setReasons(reasons);
    s.received(status);
    s.setLoad('loaded');
    if (s.error?.kind === 'failed' && s.error.command === 'load') s.setError(null);
    if (autoSignInDue) {
      autoSignInDue = false;
      if (status.state.kind === 'signed_out') await send({ type: 'sign_in' }, gen, { quietConflict: true });
    }
  } catch (err) {
    if (gen !== generation) return;
    log.warn('cannot load the agent state', err);
    if (store().status === null) {
      store().setLoad('failed');
      store().setError(errorOf('load', err));
    }
    clearRetry();
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (gen === generation) void load(gen);
    }, LOAD_RETRY_MS);
  }
}

/**
 * Sends one command; the answer (or the server's refusal) goes to the store. `quietConflict`:
 * a refusal is expected (another tab 签入ed first), re-fetch without showing it.
 */
async function send(command: AgentCommand, gen: number, opts: { quietConflict?: boolean } = {}): Promise<void> {
  store().setPending({ command: command.type, reason: 'reason' in command ? command.reason : null, phase: 'sending' });
  try {
    const status = await call(api.changeMyAgentState, { body: command });
    if (gen !== generation) return;
    store().received(status);
    store().setError(null);
  } catch (err) {
    if (gen !== generation) return;
    log.warn(`${command.type} refused or failed`, err);
    const conflict = isApiCallError(err) && err.code === 'CONFLICT';
    if (!(conflict && opts.quietConflict)) store().setError(errorOf(command.type, err));
    // Refused: what we showed was out of date; ask for the truth.
    if (conflict) void load(gen);
  } finally {
    if (gen === generation) store().setPending(null);
  }
}

/** Resolves once no device check is running (or after a generous timeout). */
function deviceCheckSettled(): Promise<void> {
  return new Promise((resolve) => {
    let unsubscribe = (): void => undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      resolve();
    }, CHECK_WAIT_MS);
    const done = (): boolean => {
      if (useSoftphoneStore.getState().deviceCheck.status === 'running') return false;
      clearTimeout(timer);
      unsubscribe();
      resolve();
      return true;
    };
    unsubscribe = useSoftphoneStore.subscribe(() => void done());
    done();
  });
}

/** Whether a command may start now (one at a time, during a console session). */
function idle(): boolean {
  const s = store();
  return s.agentId !== null && s.pending === null;
}

/**
 * 示闲: only with a registered softphone and a microphone that passed a device check in this
 * session. Without a check yet, runs one (the same action as 设备检测) and goes on if it passes.
 */
export async function goReady(): Promise<void> {
  if (!idle()) return;
  const gen = generation;
  const startedAt = store().sessionStartedAt ?? Date.now();
  store().setError(null);
  store().setPending({ command: 'ready', reason: null, phase: 'checking' });
  try {
    // Two rounds suffice (check, then decide); a third covers a check that was already running.
    for (let round = 0; round < 3; round++) {
      const view = useSessionStore.getState().view;
      const phone = useSoftphoneStore.getState();
      const decision = readyGate({
        hasExtension: view.status === 'signed-in' && view.user.extension !== null,
        registration: phone.registration.status,
        deviceCheck: phone.deviceCheck,
        sessionStartedAt: startedAt,
      });
      switch (decision.action) {
        case 'send':
          await send({ type: 'ready' }, gen);
          return;
        case 'refuse':
          store().setError({ kind: 'gate', refusal: decision.refusal });
          return;
        case 'runCheck':
          await softphone().runDeviceCheck().catch((err: unknown) => log.warn('device check failed to run', err));
          break;
        case 'waitForCheck':
          await deviceCheckSettled();
          break;
        default:
          assertNever(decision);
      }
      if (gen !== generation) return;
    }
    store().setError({ kind: 'gate', refusal: 'micFailed' });
  } finally {
    if (gen === generation && store().pending?.phase === 'checking') store().setPending(null);
  }
}

/** 签入, 示忙, 小休, 整理完成, 签出 (示闲 goes through `goReady`). */
export async function sendAgentCommand(command: Exclude<AgentCommand, { type: 'ready' }>): Promise<void> {
  if (!idle()) return;
  store().setError(null);
  await send(command, generation);
}

export function dismissAgentStateError(): void {
  store().setError(null);
}

/** Re-reads the state from the server (after a failed load, on demand). */
export function reloadAgentState(): void {
  if (store().agentId === null) return;
  clearRetry();
  void load(generation);
}

/** Follows the session (load / reset) and the realtime connection (re-fetch on reconnect). */
export function installAgentStateLifecycle(): void {
  let current: string | null = null;
  const apply = (view: SessionView): void => {
    const agentId = consoleAgent(view);
    if (agentId === current) return;
    current = agentId;
    generation++;
    clearRetry();
    everConnected = false;
    if (agentId === null) {
      autoSignInDue = false;
      store().reset();
      return;
    }
    store().begin(agentId);
    autoSignInDue = true;
    void load(generation);
  };
  apply(useSessionStore.getState().view);
  useSessionStore.subscribe((s) => apply(s.view));
  useConnectionStore.subscribe((s, prev) => {
    if (current === null || s.status !== 'connected' || prev.status === 'connected') return;
    // The session's first connect is covered by the load at sign-in; later ones follow a gap.
    if (everConnected) void load(generation);
    everConnected = true;
  });
}
