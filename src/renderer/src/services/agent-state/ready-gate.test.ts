import { describe, expect, it } from 'vitest';
import { idleDeviceCheck, type DeviceCheckView } from '../../stores/softphone-store';
import { checkIsCurrent, readyGate, type ReadyGateInput } from './ready-gate';

const SESSION = 1_000_000;

const check = (over: Partial<DeviceCheckView> = {}, mic: DeviceCheckView['items']['microphone'] = 'ok'): DeviceCheckView => ({
  ...idleDeviceCheck,
  status: 'passed',
  checkedAt: SESSION + 5_000,
  items: { ...idleDeviceCheck.items, microphone: mic, speaker: 'ok', ring: 'ok', registration: 'ok', mediaPath: 'ok' },
  ...over,
});

const input = (over: Partial<ReadyGateInput> = {}): ReadyGateInput => ({
  hasExtension: true,
  registration: 'registered',
  deviceCheck: check(),
  sessionStartedAt: SESSION,
  ...over,
});

describe('示闲 gate', () => {
  it('lets a registered agent whose microphone passed this session go ready', () => {
    expect(readyGate(input())).toEqual({ action: 'send' });
  });

  it('refuses without an extension or a registered softphone', () => {
    expect(readyGate(input({ hasExtension: false }))).toEqual({ action: 'refuse', refusal: 'noExtension' });
    for (const registration of ['unregistered', 'registering', 'reconnecting', 'failed'] as const) {
      expect(readyGate(input({ registration }))).toEqual({ action: 'refuse', refusal: 'notRegistered' });
    }
  });

  it('refuses when the last check failed the microphone (silent or denied)', () => {
    expect(readyGate(input({ deviceCheck: check({ status: 'failed', failures: ['micSilent'] }, 'failed') }))).toEqual({
      action: 'refuse',
      refusal: 'micFailed',
    });
  });

  it('does not hold other failed items (speaker, ring, media path) against 示闲', () => {
    const c = check({ status: 'failed', failures: ['speakerFailed'] });
    c.items.speaker = 'failed';
    expect(readyGate(input({ deviceCheck: c }))).toEqual({ action: 'send' });
  });

  it('runs a check when none ran in this session, and waits for one that is running', () => {
    expect(readyGate(input({ deviceCheck: idleDeviceCheck }))).toEqual({ action: 'runCheck' });
    expect(readyGate(input({ deviceCheck: check({ checkedAt: SESSION - 1 }) }))).toEqual({ action: 'runCheck' });
    expect(readyGate(input({ deviceCheck: check({ checkedAt: SESSION - 1 }, 'failed') }))).toEqual({ action: 'runCheck' });
    expect(readyGate(input({ deviceCheck: check({ status: 'running', checkedAt: null }, 'pending') }))).toEqual({ action: 'waitForCheck' });
  });

  it('checks registration before devices (a check cannot fix a missing registration)', () => {
    expect(readyGate(input({ registration: 'failed', deviceCheck: idleDeviceCheck }))).toEqual({ action: 'refuse', refusal: 'notRegistered' });
  });

  it('counts a check as current only when it finished in this session', () => {
    expect(checkIsCurrent(check(), SESSION)).toBe(true);
    expect(checkIsCurrent(check({ checkedAt: SESSION }), SESSION)).toBe(true);
    expect(checkIsCurrent(check({ checkedAt: SESSION - 1 }), SESSION)).toBe(false);
    expect(checkIsCurrent(idleDeviceCheck, SESSION)).toBe(false);
  });
});
