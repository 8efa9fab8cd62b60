import { beforeEach, describe, expect, it } from 'vitest';
import {
  callStatusView,
  consultCall,
  currentCall,
  hasLiveCall,
  initialSoftphoneState,
  patchCallIn,
  ringingCall,
  upsertCallIn,
  useSoftphoneStore,
  type CallView,
} from './softphone-store';

const call = (id: string, over: Partial<CallView> = {}): CallView => ({
  id,
  direction: 'inbound',
  role: 'primary',
  remoteNumber: '13800138000',
  remoteName: null,
  status: 'ringing',
  muted: false,
  pending: null,
  createdAt: 1,
  answeredAt: null,
  endedAt: null,
  end: null,
  dtmfSent: '',
  dtmfReceived: '',
  replaces: null,
  media: 'new',
  ...over,
});

describe('call reducers', () => {
  it('upserts by id, keeping order', () => {
    let calls = upsertCallIn([], call('a'));
    calls = upsertCallIn(calls, call('b'));
    calls = upsertCallIn(calls, call('a', { status: 'established' }));
    expect(calls.map((c) => [c.id, c.status])).toEqual([
      ['a', 'established'],
      ['b', 'ringing'],
    ]);
  });

  it('patches, and never revives an ended call', () => {
    const ended = call('a', { status: 'ended', end: { reason: 'remote-hangup', sipCode: null, issue: null } });
    expect(patchCallIn([ended], 'a', { status: 'established' })[0]?.status).toBe('ended');
    expect(patchCallIn([ended], 'a', { dtmfReceived: '1' })[0]?.dtmfReceived).toBe('1');
    expect(patchCallIn([call('a')], 'zzz', { status: 'ended' })).toHaveLength(1);
  });

  it('picks the current call: live primary, else the last ended one that was not replaced', () => {
    const a = call('a', { status: 'ended', end: { reason: 'remote-hangup', sipCode: null, issue: null } });
    const b = call('b', { status: 'established' });
    const c = call('c', { role: 'consult', status: 'calling', direction: 'outbound' });
    expect(currentCall([a, b, c])?.id).toBe('b');
    expect(consultCall([a, b, c])?.id).toBe('c');
    expect(currentCall([a])?.id).toBe('a');
    const replaced = call('r', { status: 'ended', end: { reason: 'replaced', sipCode: null, issue: null } });
    expect(currentCall([a, replaced])?.id).toBe('a');
    expect(currentCall([])).toBeNull();
  });

  it('derives the status shown to the agent', () => {
    expect(callStatusView(null)).toBe('idle');
    expect(callStatusView(call('a', { status: 'held' }))).toBe('held');
    expect(ringingCall([call('a', { direction: 'outbound', status: 'calling' }), call('b')])?.id).toBe('b');
    expect(hasLiveCall([call('a', { status: 'ended' })])).toBe(false);
    expect(hasLiveCall([call('a', { status: 'held' })])).toBe(true);
  });
});

describe('useSoftphoneStore', () => {
  beforeEach(() => useSoftphoneStore.setState(initialSoftphoneState()));

  it('keeps devices and settings across a reset (sign-out), drops the rest', () => {
    const s = useSoftphoneStore.getState();
    s.setSettings({ autoAnswer: true, audioProcessing: false });
    s.upsertCall(call('a'));
    s.setRegistration({ status: 'registered', issue: null, sipCode: null, retryAt: null });
    useSoftphoneStore.getState().reset();
    const after = useSoftphoneStore.getState();
    expect(after.settings).toEqual({ autoAnswer: true, audioProcessing: false });
    expect(after.calls).toEqual([]);
    expect(after.registration.status).toBe('unregistered');
  });

  it('numbers notices so repeats are distinct, and keeps the last few', () => {
    const s = useSoftphoneStore.getState();
    s.notify('busy', 'error');
    s.notify('busy', 'error');
    const [first, second] = useSoftphoneStore.getState().notices;
    expect(first?.issue).toBe('busy');
    expect(second?.seq).toBe((first?.seq ?? 0) + 1);
    for (let i = 0; i < 10; i++) s.notify('signallingLost', 'warning');
    expect(useSoftphoneStore.getState().notices).toHaveLength(5);
  });

  it('holds only serialisable data', () => {
    const s = useSoftphoneStore.getState();
    s.upsertCall(call('a'));
    const data = Object.fromEntries(Object.entries(useSoftphoneStore.getState()).filter(([, v]) => typeof v !== 'function'));
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });
});
