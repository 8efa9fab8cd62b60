import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { permissionsOf, roles, type Role } from '../roles.js';
import {
  allowedCommands, decide, initialSnapshot, isLegalSnapshot, satisfactions, ticketStatuses,
  type Actor, type TicketCommand, type WorkflowSnapshot,
} from './workflow.js';

const units = ['u1', 'u2', 'u3'] as const;
const unitId = fc.constantFrom(...units);
const text = fc.constantFrom('原因', '意见', '');
const command: fc.Arbitrary<TicketCommand> = fc.oneof(
  text.map((result) => ({ type: 'answer_directly' as const, result })),
  fc.constant({ type: 'classify' as const }),
  text.map((reason) => ({ type: 'invalidate' as const, reason })),
  fc.constant({ type: 'merge' as const, intoTicketId: 't2' }),
  fc.tuple(unitId, fc.subarray([...units])).map(([leadUnitId, coUnitIds]) => ({ type: 'dispatch' as const, leadUnitId, coUnitIds })),
  fc.constant({ type: 'sign' as const }),
  text.map((reason) => ({ type: 'request_return' as const, reason })),
  fc.boolean().map((approve) => ({ type: 'review_return' as const, approve, opinion: 'x' })),
  fc.constant({ type: 'start' as const }),
  text.map((t) => ({ type: 'note' as const, text: t })),
  fc.integer({ min: 1, max: 10 }).map((workingDays) => ({ type: 'request_extension' as const, workingDays, reason: 'r' })),
  fc.constant({ type: 'request_commitment' as const, until: '2026-12-31', reason: 'r' }),
  fc.boolean().map((approve) => ({ type: 'review_request' as const, approve, opinion: 'x' })),
  fc.constant({ type: 'resume' as const }),
  fc.constant({ type: 'reply' as const, result: '已处理' }),
  fc.boolean().map((pass) => ({ type: 'audit' as const, pass, opinion: 'x' })),
  fc.tuple(fc.constantFrom(...satisfactions), fc.boolean()).map(([satisfaction, reopen]) => ({ type: 'revisit' as const, satisfaction, reopen })),
  fc.constant({ type: 'withdraw' as const, reason: 'r' }),
  fc.constant({ type: 'urge' as const, opinion: '请尽快' }),
  fc.constant({ type: 'supervise' as const, opinion: '督办' }),
);
const actor: fc.Arbitrary<Actor> = fc
  .tuple(fc.subarray([...roles] as Role[], { minLength: 1 }), fc.subarray([...units]))
  .map(([rs, unitIds]) => ({ permissions: permissionsOf(rs), unitIds }));

const center: Actor = { permissions: permissionsOf(['supervisor']), unitIds: [] };
const agent: Actor = { permissions: permissionsOf(['agent']), unitIds: [] };
const unitUser = (u: string): Actor => ({ permissions: permissionsOf(['unit']), unitIds: [u] });

function run(s: WorkflowSnapshot, steps: [TicketCommand, Actor][]): WorkflowSnapshot {
  for (const [c, a] of steps) {
    const r = decide(s, c, a);
    if (!r.ok) throw new Error(`${c.type}: ${r.message}`);
    s = r.next;
  }
  return s;
}

describe('ticket workflow', () => {
  it('any sequence of commands by any actor keeps the ticket legal; refused commands change nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(command, actor), { maxLength: 80 }), (steps) => {
        let s = initialSnapshot;
        for (const [c, a] of steps) {
          const before = JSON.stringify(s);
          const r = decide(s, c, a);
          expect(JSON.stringify(s)).toBe(before);
          if (!r.ok) {
            expect(r.message.length).toBeGreaterThan(0);
            continue;
          }
          expect(isLegalSnapshot(r.next), `${c.type} from ${s.status} → ${JSON.stringify(r.next)}`).toBe(true);
          expect(r.statusChanged).toBe(r.next.status !== s.status);
          expect(ticketStatuses).toContain(r.next.status);
          // Unit commands come only from the units holding the ticket.
          if (['sign', 'request_return', 'start', 'reply', 'request_extension', 'request_commitment', 'resume'].includes(c.type)) {
            expect(a.unitIds).toContain(s.leadUnitId);
          }
          // Terminal statuses stay terminal.
          expect(['archived', 'invalid', 'merged']).not.toContain(s.status);
          s = r.next;
        }
      }),
      { numRuns: 2000 },
    );
  }, 120_000);

  it('allowedCommands offers every command decide would accept, and nothing on terminal tickets', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(command, actor), { maxLength: 40 }), command, actor, (steps, c, who) => {
        let s = initialSnapshot;
        for (const [cmd, a] of steps) {
          const r = decide(s, cmd, a);
          if (r.ok) s = r.next;
        }
        const allowed = allowedCommands(s, who);
        if (decide(s, c, who).ok) expect(allowed).toContain(c.type);
        if (s.status === 'archived' || s.status === 'invalid' || s.status === 'merged') expect(allowed).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  }, 120_000);

  it('walks the full happy path: register → classify → dispatch → sign → process → reply → audit → revisit → archive', () => {
    const s = run(initialSnapshot, [
      [{ type: 'classify' }, agent],
      [{ type: 'dispatch', leadUnitId: 'u1', coUnitIds: ['u2'] }, agent],
      [{ type: 'sign' }, unitUser('u1')],
      [{ type: 'start' }, unitUser('u1')],
      [{ type: 'note', text: '已联系市民' }, unitUser('u2')],
      [{ type: 'request_extension', workingDays: 5, reason: '需现场核查' }, unitUser('u1')],
      [{ type: 'review_request', approve: true, opinion: '同意' }, center],
      [{ type: 'reply', result: '已修复' }, unitUser('u1')],
      [{ type: 'audit', pass: true, opinion: '通过' }, center],
      [{ type: 'revisit', satisfaction: 'satisfied', reopen: false }, agent],
    ]);
    expect(s).toMatchObject({ status: 'archived', leadUnitId: 'u1', coUnitIds: ['u2'], extensionCount: 1 });
  });

  it('guards unit commands by unit and center commands by permission', () => {
    const dispatched = run(initialSnapshot, [[{ type: 'classify' }, agent], [{ type: 'dispatch', leadUnitId: 'u1', coUnitIds: ['u2'] }, agent]]);
    expect(decide(dispatched, { type: 'sign' }, unitUser('u2'))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(decide(dispatched, { type: 'sign' }, agent)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(decide(dispatched, { type: 'dispatch', leadUnitId: 'u3', coUnitIds: [] }, agent)).toMatchObject({ ok: false, code: 'ILLEGAL' });
    expect(decide(dispatched, { type: 'audit', pass: true, opinion: '' }, agent)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(allowedCommands(dispatched, unitUser('u1')).sort()).toEqual(['note', 'request_return', 'sign']);
    expect(allowedCommands(dispatched, unitUser('u2'))).toEqual(['note']);
    expect(allowedCommands(dispatched, agent).sort()).toEqual(['note', 'urge', 'withdraw']);
  });

  it('return needs review; approval sends it back to dispatch without units, rejection keeps it with the unit', () => {
    const base = run(initialSnapshot, [[{ type: 'classify' }, agent], [{ type: 'dispatch', leadUnitId: 'u1', coUnitIds: [] }, agent], [{ type: 'request_return', reason: '非本单位职责' }, unitUser('u1')]]);
    expect(base).toMatchObject({ status: 'return_review', returnReason: '非本单位职责' });
    expect(run(base, [[{ type: 'review_return', approve: false, opinion: '属于职责' }, center]])).toMatchObject({ status: 'dispatched', leadUnitId: 'u1', returnReason: null });
    expect(run(base, [[{ type: 'review_return', approve: true, opinion: '同意' }, center]])).toMatchObject({ status: 'pending_dispatch', leadUnitId: null, coUnitIds: [] });
  });

  it('unsatisfied revisit reopens with the same unit; 承诺办理 suspends until resumed', () => {
    const closed = run(initialSnapshot, [
      [{ type: 'classify' }, agent], [{ type: 'dispatch', leadUnitId: 'u1', coUnitIds: [] }, agent], [{ type: 'sign' }, unitUser('u1')], [{ type: 'start' }, unitUser('u1')],
      [{ type: 'request_commitment', until: '2026-12-31', reason: '需协调' }, unitUser('u1')], [{ type: 'review_request', approve: true, opinion: '' }, center],
    ]);
    expect(closed.status).toBe('suspended');
    const reopened = run(closed, [
      [{ type: 'resume' }, unitUser('u1')], [{ type: 'reply', result: 'x' }, unitUser('u1')], [{ type: 'audit', pass: true, opinion: '' }, center],
      [{ type: 'revisit', satisfaction: 'unsatisfied', reason: '未解决', reopen: true }, agent],
    ]);
    expect(reopened).toMatchObject({ status: 'processing', leadUnitId: 'u1', reopenCount: 1 });
    const c2 = run(initialSnapshot, [[{ type: 'answer_directly', result: '已答复' }, agent]]);
    expect(decide(c2, { type: 'revisit', satisfaction: 'satisfied', reopen: true }, agent)).toMatchObject({ ok: false, code: 'ILLEGAL' });
  });
});
