/** Live pushes: a ticket dispatched to a unit, or urged, reaches that unit's users and its agent, not others. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketNotice } from '../../src/shared/realtime.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';
import { openSocket, type ClientSocket } from '../harness/realtime-client.js';

type C = ClientSocket;

describe('ticket pushes', () => {
  let t: TestApp;
  const sockets: C[] = [];
  beforeAll(async () => {
    t = await createTestApp({}, { listen: true });
  }, 180_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  it('tells the lead unit and the agent what happened, never the actor or other units', async () => {
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    const mk = async (username: string, roles: string[]) =>
      (await admin('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles })).json().id as string;
    await mk('agent1', ['agent']);
    await mk('sup1', ['supervisor']);
    const ua = await mk('unit_a', ['unit']);
    const ub = await mk('unit_b', ['unit']);
    const unitA = (await admin('POST', '/api/refdata/units', { code: 'a', name: '甲', memberIds: [ua] })).json().id;
    await admin('POST', '/api/refdata/units', { code: 'b', name: '乙', memberIds: [ub] });
    const tokens = Object.fromEntries(await Promise.all(['agent1', 'sup1', 'unit_a', 'unit_b'].map(async (u) => [u, (await t.login(u, 'Pass-word-1')).accessToken] as const)));
    const open = (token: string) => openSocket(baseUrl(t.app), { token }, sockets);
    const [agentS, supS, aS, bS] = await Promise.all([open(tokens.agent1!), open(tokens.sup1!), open(tokens.unit_a!), open(tokens.unit_b!)]);
    const heard: Record<string, TicketNotice[]> = { agent: [], sup: [], a: [], b: [] };
    agentS.on('ticket:changed', (n) => heard.agent!.push(n));
    supS.on('ticket:changed', (n) => heard.sup!.push(n));
    aS.on('ticket:changed', (n) => heard.a!.push(n));
    bS.on('ticket:changed', (n) => heard.b!.push(n));

    const sup = t.as(tokens.sup1!);
    let tk = (await t.as(tokens.agent1!)('POST', '/api/tickets', { clientId: randomUUID(), channel: 'phone', title: '噪音扰民', content: 'c', appealType: 'complaint', forDispatch: true })).json();
    tk = (await sup('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command: { type: 'dispatch', leadUnitId: unitA } })).json();
    tk = (await sup('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command: { type: 'urge', opinion: '请尽快' } })).json();
    await expect.poll(() => heard.a!.map((n) => n.action), { timeout: 5000 }).toEqual(['dispatch', 'urge']);
    await expect.poll(() => heard.agent!.length, { timeout: 5000 }).toBe(2);
    expect(heard.a![0]).toMatchObject({ ticketId: tk.id, ticketNo: tk.ticketNo, status: 'dispatched', by: 'sup1' });
    expect(heard.sup).toEqual([]);
    expect(heard.b).toEqual([]);
  });
});
