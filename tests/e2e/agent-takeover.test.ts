/**
 * One live console per agent, in real browsers: the same agent signing in on a second
 * computer takes over, and the first console returns to sign-in saying where and when;
 * 退出 on the console that remains 签出s the agent.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signInConsole } from '../harness/browser.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';

describe('agent console takeover', () => {
  let t: TestApp;
  let url: string;
  let browser: Browser;
  let agentId: string;

  beforeAll(async () => {
    t = await createTestApp({}, { listen: true });
    url = baseUrl(t.app);
    browser = await launchChromium();
    const admin = await t.login('admin', ADMIN_PASSWORD);
    const created = await t.as(admin.accessToken)('POST', '/api/users', {
      username: 'agent21', displayName: '孙坐席', password: 'Agent-pass-21', roles: ['agent'], extension: '1021',
    });
    agentId = created.json().id;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function openConsole(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${url}/`);
    await signInConsole(page, 'agent21', 'Agent-pass-21');
    await page.getByTestId('agent-console').waitFor();
    return page;
  }
  const consoleSessions = async () =>
    (await t.db.selectFrom('auth_session').select('id').where('user_id', '=', agentId).where('revoked_at', 'is', null).where('console_at', 'is not', null).execute()).length;
  const agentState = async () => (await t.db.selectFrom('agent_state').select('state').where('agent_id', '=', agentId).executeTakeFirst())?.state.kind;

  it('a second sign-in takes over; the first console is told where from and signed out', async () => {
    const first = await openConsole();
    await expect.poll(consoleSessions).toBe(1);
    // Automatic 签入 at console sign-in.
    await expect.poll(agentState).toBe('not_ready');

    const second = await openConsole();
    const notice = first.getByTestId('session-ended-message');
    await notice.waitFor();
    const text = await notice.innerText();
    expect(text).toContain('您的账号已在另一台电脑登录（座席 ');
    expect(text).toContain('本机已退出');
    expect(await first.getByTestId('login-page').count()).toBe(1);
    // The second console carries on with the agent still 签入ed.
    await second.getByTestId('agent-state').waitFor();
    expect(await second.getByTestId('agent-state').getAttribute('data-kind')).toBe('not_ready');
    await expect.poll(consoleSessions).toBe(1);

    // 退出 from the console 签出s the agent.
    await second.getByTestId('logout-button').click();
    await second.getByTestId('login-page').waitFor();
    await expect.poll(agentState).toBe('signed_out');
  });
});
