/**
 * RBAC matrix: every workflow action × every role, on a ticket in a status where the action
 * is legal. Expected answers come from the permission table (src/shared/roles.ts) and the
 * unit rule, not from the workflow code under test: 200 when allowed, 403 when the role
 * lacks the right, 404 when the user may not even see the ticket (another unit's).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../src/shared/api/tickets.js';
import { permissionsOf, type Role } from '../../src/shared/roles.js';
import { commandPermission, commandTypes, type TicketCommandType } from '../../src/shared/tickets/workflow.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

type Inject = ReturnType<TestApp['as']>;
type Who = 'agent' | 'supervisor' | 'qa' | 'admin' | 'unitLead' | 'unitOther';
const whos: Who[] = ['agent', 'supervisor', 'qa', 'admin', 'unitLead', 'unitOther'];

describe('tickets RBAC matrix', () => {
  let t: TestApp;
  const as = {} as Record<Who, Inject>;
  let unitA = '';

  beforeAll(async () => {
    t = await createTestApp();
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    as.admin = admin;
    const mk = async (username: string, role: Role) => {
      const id = (await admin('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles: [role] })).json().id as string;
      return { id, inject: t.as((await t.login(username, 'Pass-word-1')).accessToken) };
    };
    as.agent = (await mk('agent1', 'agent')).inject;
    as.supervisor = (await mk('sup1', 'supervisor')).inject;
    as.qa = (await mk('qa1', 'qa')).inject;
    const lead = await mk('unit_a', 'unit');
    const other = await mk('unit_b', 'unit');
    as.unitLead = lead.inject;
    as.unitOther = other.inject;
    unitA = (await admin('POST', '/api/refdata/units', { code: 'a', name: '甲单位', memberIds: [lead.id] })).json().id;
    await admin('POST', '/api/refdata/units', { code: 'b', name: '乙单位', memberIds: [other.id] });
  }, 180_000); // creates and signs in several accounts (argon2) on a busy machine
  afterAll(() => t.close());

  const step = async (who: Inject, tk: TicketDetail, command: Record<string, unknown>): Promise<TicketDetail> => {
    const res = await who('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command });
    expect(res.statusCode, `${String(command.type)}: ${res.body}`).toBe(200);
    return res.json();
  };

  /** A ticket where `command` is legal now. */
  async function ticketFor(command: TicketCommandType): Promise<TicketDetail> {
    const reg = await as.agent('POST', '/api/tickets', { clientId: randomUUID(), channel: 'phone', title: 't', content: 'c', appealType: 'help' });
    let tk = reg.json<TicketDetail>();
    if (['answer_directly', 'classify', 'invalidate', 'merge'].includes(command)) return tk;
    tk = await step(as.supervisor, tk, { type: 'classify' });
    if (command === 'dispatch') return tk;
    tk = await step(as.supervisor, tk, { type: 'dispatch', leadUnitId: unitA });
    if (['sign', 'request_return', 'withdraw', 'urge', 'supervise'].includes(command)) return tk;
    if (command === 'review_return') return step(as.unitLead, tk, { type: 'request_return', reason: 'r' });
    tk = await step(as.unitLead, tk, { type: 'sign' });
    if (command === 'start') return tk;
    tk = await step(as.unitLead, tk, { type: 'start' });
    if (['note', 'request_extension', 'request_commitment', 'reply'].includes(command)) return tk;
    if (command === 'review_request') return step(as.unitLead, tk, { type: 'request_extension', workingDays: 2, reason: 'r' });
    if (command === 'resume') {
      tk = await step(as.unitLead, tk, { type: 'request_commitment', until: '2099-01-01', reason: 'r' });
      return step(as.supervisor, tk, { type: 'review_request', approve: true, opinion: 'o' });
    }
    tk = await step(as.unitLead, tk, { type: 'reply', result: 'r' });
    if (command === 'audit') return tk;
    return step(as.supervisor, tk, { type: 'audit', pass: true, opinion: 'o' }); // revisit
  }

  function command(type: TicketCommandType, mergeTarget: string): Record<string, unknown> {
    const bodies: Record<TicketCommandType, Record<string, unknown>> = {
      answer_directly: { result: 'r' }, classify: {}, invalidate: { reason: 'r' }, merge: { intoTicketId: mergeTarget },
      dispatch: { leadUnitId: unitA }, sign: {}, request_return: { reason: 'r' }, review_return: { approve: true, opinion: 'o' }, start: {},
      note: { text: 'n' }, request_extension: { workingDays: 1, reason: 'r' }, request_commitment: { until: '2099-01-01', reason: 'r' },
      review_request: { approve: true, opinion: 'o' }, resume: {}, reply: { result: 'r' }, audit: { pass: true, opinion: 'o' },
      revisit: { satisfaction: 'satisfied' }, withdraw: { reason: 'r' }, urge: { opinion: 'o' }, supervise: { opinion: 'o' },
    };
    return { type, ...bodies[type] };
  }

  function expected(who: Who, type: TicketCommandType, tk: TicketDetail): number {
    const role: Role = who === 'unitLead' || who === 'unitOther' ? 'unit' : who;
    if (role === 'unit') {
      const assigned = who === 'unitLead' && tk.leadUnitId === unitA;
      if (!assigned) return 404; // another unit's ticket, or not dispatched yet: invisible
    }
    const perms = permissionsOf([role]);
    const need = commandPermission[type];
    return perms.has(need) || (type === 'note' && perms.has('tickets:dispatch')) ? 200 : 403;
  }

  it('every action × every role: allowed, 403, or 404 when not visible; refusals change nothing', async () => {
    const target = (await as.agent('POST', '/api/tickets', { clientId: randomUUID(), channel: 'phone', title: 'target', content: 'c', appealType: 'help' })).json<TicketDetail>();
    const table: string[] = [];
    for (const type of commandTypes) {
      let shared = await ticketFor(type);
      const row: string[] = [];
      for (const who of whos) {
        const want = expected(who, type, shared);
        const tk = want === 200 ? await ticketFor(type) : shared;
        const res = await as[who]('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command: command(type, target.id) });
        expect(res.statusCode, `${type} by ${who}: ${res.body}`).toBe(want);
        row.push(`${who}=${res.statusCode}`);
        if (want !== 200) {
          const after = (await as.admin('GET', `/api/tickets/${tk.id}`)).json<TicketDetail>();
          expect(after.version, `${type} by ${who} changed the ticket`).toBe(tk.version);
          shared = after;
        }
      }
      table.push(`${type}: ${row.join(' ')}`);
    }
    // Every action is allowed for somebody.
    for (const line of table) expect(line, line).toMatch(/=200/);
  }, 240_000);
});
