/**
 * The console's answered-call hook: records every answered call on the agent's side with
 * services/recording (caller + agent mixed, plus a supervisor while whispering or barging;
 * uploaded in chunks while the call runs), except
 * trunk calls the server records. A recording that cannot start never affects the call.
 */
import { CallRecorder } from '../recording/call-recorder';
import { createLogger } from '../log';
import type { AnsweredCallHook } from './calls';

const log = createLogger('softphone.recording');

export const recordAnsweredCalls: AnsweredCallHook = (info, local, remote, side) => {
  // The site records trunk calls on the server (HOTLINE_RECORDING=server): one recording per call.
  if (info.serverRecorded) {
    log.info('call recorded by the server', info.sipCallId);
    return;
  }
  const recorder = new CallRecorder(local, remote, info, side);
  const started = recorder.start().catch((err: unknown) => {
    log.warn('recording did not start', err);
    throw err;
  });
  return () => {
    started.then(() => recorder.stop()).catch(() => undefined);
  };
};
