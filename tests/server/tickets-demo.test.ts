/** Demo sites ship a usable ticket setup: units, dispatch rules and the 承办单位 user unit1. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../harness/test-app.js';

describe('tickets on a demo site', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ demo: true });
  }, 180_000); // seeds eight accounts (argon2) on a busy machine
  afterAll(() => t.close());

  it('an agent files a ticket, the rules dispatch it, and unit1 finds it in its inbox', async () => {
    const password = t.seed.credentials.find((c) => c.username.includes('unit1'))!.password;
    const agent = t.as((await t.login('agent1', password)).accessToken);
    const unit = t.as((await t.login('unit1', password)).accessToken);
    const reg = await agent('POST', '/api/tickets', {
      clientId: randomUUID(), channel: 'phone', title: '占道经营', content: '西溪路夜市占道', appealType: 'complaint', categoryCode: '0101', regionCode: '330106', forDispatch: true,
    });
    expect(reg.statusCode, reg.body).toBe(201);
    const tk = reg.json();
    const d = await agent('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command: { type: 'dispatch' } });
    expect(d.json()).toMatchObject({ status: 'dispatched', leadUnitName: '西湖区城市管理局', coUnits: [{ name: '西湖区西溪街道办事处' }] });
    const inbox = (await unit('GET', '/api/tickets?view=unit_inbox')).json();
    expect(inbox.items.map((i: { id: string }) => i.id)).toEqual([tk.id]);
  });
});
