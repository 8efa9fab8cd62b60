/**
 * The offer push and the caller's history: the offer waits for the history (one push paints the
 * screen pop), goes without it when it is late or fails, and the offer's end never overtakes it.
 */
import { describe, expect, it } from 'vitest';
import type { CallerHistory } from '../../../shared/api/callers.js';
import type { AcdOffer } from '../../../shared/realtime.js';
import type { RealtimeIo } from '../../realtime/realtime-server.js';
import { AcdRealtimePushes } from './acd-pushes.js';
import type { CallbacksService } from './callbacks-service.js';
import type { QueuesService } from './queues-service.js';

function pushes() {
  const sent: { room: string; event: string; payload: Record<string, unknown> }[] = [];
  const emit = (room: string) => (event: string, payload: Record<string, unknown>, ack?: (err: Error | null, responses: unknown[]) => void) => {
    sent.push({ room, event, payload });
    ack?.(null, []); // no console in the room: acknowledged at once
  };
  const io = { to: (room: string) => ({ emit: emit(room), timeout: () => ({ emit: emit(room) }) }) } as unknown as RealtimeIo;
  const warned: string[] = [];
  const p = new AcdRealtimePushes(io, {} as QueuesService, {} as CallbacksService, { warn: (_o, msg) => warned.push(msg), error: () => {} });
  return { p, sent, warned };
}

const offer = (callId: string): AcdOffer => ({
  callId, caller: '13800001234', callerNormalised: '13800001234', queueId: 'q', queueName: '综合', waitedSeconds: 2, offeredAt: new Date(0).toISOString(), ringSeconds: 15,
});
const history = { number: '13800001234', tickets: [] } as unknown as CallerHistory;
const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

describe('offer push with the caller history', () => {
  it('without a history source the offer goes at once, as it is', () => {
    const { p, sent } = pushes();
    p.offered('a1', offer('c1'));
    expect(sent).toEqual([{ room: 'user:a1', event: 'acd:offered', payload: offer('c1') }]);
  });

  it('carries the history, and the end of the offer follows it', async () => {
    const { p, sent } = pushes();
    let resolve!: (h: CallerHistory) => void;
    p.historyOf = async (agentId, o) => {
      expect([agentId, o.callId]).toEqual(['a1', 'c1']);
      return new Promise<CallerHistory>((r) => (resolve = r));
    };
    p.historyWaitMs = 60_000;
    p.offered('a1', offer('c1'));
    // The caller hung up while the history was still being read: nothing overtakes the offer.
    p.offerEnded('a1', 'c1', 'abandoned');
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual([]);
    resolve(history);
    await until(() => sent.length === 2);
    expect(sent.map((s) => s.event)).toEqual(['acd:offered', 'acd:offer-ended']);
    expect(sent[0]!.payload).toEqual({ ...offer('c1'), history });
    expect(sent[1]!.payload).toEqual({ callId: 'c1', reason: 'abandoned' });
    // Other calls' ends are not held up.
    p.offerEnded('a1', 'c2', 'no_answer');
    expect(sent.at(-1)!.payload).toEqual({ callId: 'c2', reason: 'no_answer' });
  });

  it('a late or failed history: the offer goes without it (the console fetches it)', async () => {
    const { p, sent, warned } = pushes();
    p.historyWaitMs = 10;
    p.historyOf = () => new Promise<CallerHistory>(() => {});
    p.offered('a1', offer('late'));
    await until(() => sent.length === 1);
    expect(sent[0]!.payload).toEqual(offer('late'));
    p.historyOf = () => Promise.reject(new Error('database down'));
    p.offered('a1', offer('failed'));
    await until(() => sent.length === 2);
    expect(sent[1]!.payload).toEqual(offer('failed'));
    expect(warned).toHaveLength(1);
  });
});
