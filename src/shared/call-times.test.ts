import { describe, expect, it } from 'vitest';
import { deriveCallTimes } from './call-times.js';

const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 8, 0, 0) + s * 1000);

describe('deriveCallTimes', () => {
  it('splits an answered call with holds into wait, talk, hold and after-call work', () => {
    expect(
      deriveCallTimes({
        arrivedAt: at(0), answeredAt: at(12), endedAt: at(112), wrapUpEndedAt: at(142),
        holds: [{ heldAt: at(20), resumedAt: at(30) }, { heldAt: at(100), resumedAt: null }],
      }),
    ).toEqual({ waitSeconds: 12, talkSeconds: 78, holdSeconds: 22, afterCallWorkSeconds: 30 });
  });
  it('an abandoned call waited until it ended and has no talk', () => {
    expect(deriveCallTimes({ arrivedAt: at(0), answeredAt: null, endedAt: at(40.5), wrapUpEndedAt: null, holds: [] }))
      .toEqual({ waitSeconds: 40.5, talkSeconds: null, holdSeconds: 0, afterCallWorkSeconds: null });
  });
  it('a live call has only what has happened', () => {
    expect(deriveCallTimes({ arrivedAt: at(0), answeredAt: at(3), endedAt: null, wrapUpEndedAt: null, holds: [{ heldAt: at(5), resumedAt: null }] }))
      .toEqual({ waitSeconds: 3, talkSeconds: null, holdSeconds: 0, afterCallWorkSeconds: null });
  });
});
