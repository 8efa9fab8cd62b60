/**
 * 省平台对接 in the web console: an admin sees the gateway's health and a ticket the province
 * refused (dead letter with the province's message), re-sends it once the province accepts it
 * (the ticket becomes 已同步 and the count drops), and runs a reconciliation whose report appears.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProvinceSimulator } from '../../tools/province-sim/simulator.js';
import { launchChromium, signInConsole } from '../harness/browser.js';
import { testSigning, waitFor } from '../harness/province.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';

describe('province gateway admin page', () => {
  let t: TestApp;
  let sim: ProvinceSimulator;
  let browser: Browser;
  let page: Page | undefined;

  beforeAll(async () => {
    sim = new ProvinceSimulator({ signing: testSigning, provinceCode: '44' });
    await sim.listen();
    t = await createTestApp({
      provinceUrl: sim.url, provinceAppKey: testSigning.appKey, provinceAppSecret: testSigning.secret, provinceInbound: 'off',
      provinceBatchIntervalMs: 50, provinceTimeoutMs: 3000, provinceReconcileAt: '',
    }, { listen: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await page?.screenshot({ path: '/tmp/hotline-e2e-province-admin.png' }).catch(() => undefined);
    await browser?.close();
    await t?.close();
    await sim?.close();
  });

  it('shows a refused ticket, re-sends it after the province relents, and runs a reconciliation', async () => {
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    expect((await admin('POST', '/api/users', { username: 'agent1', displayName: '坐席一', password: 'Pass-word-1', roles: ['agent'] })).statusCode).toBe(201);
    const agent = t.as((await t.login('agent1', 'Pass-word-1')).accessToken);
    // Zhejiang's region code: this province (44) refuses the appeal.
    const reg = await agent('POST', '/api/tickets', { clientId: randomUUID(), channel: 'phone', title: '外省诉求', content: '内容', appealType: 'consult', regionCode: '330106' });
    expect(reg.statusCode, reg.body).toBe(201);
    const ticket = reg.json();
    await waitFor(async () => (await admin('GET', `/api/tickets/${ticket.id}`)).json().syncState === 'failed', 'dead-lettered');

    page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${baseUrl(t.app)}/`);
    await signInConsole(page, 'admin', ADMIN_PASSWORD);
    await page.getByTestId('nav-province').click();
    await page.getByTestId('province-page').waitFor();
    await expect.poll(() => page!.getByTestId('province-dead-count').textContent()).toBe('1');
    expect(await page.getByTestId(`province-dead-${ticket.ticketNo}`).textContent()).toContain('REGION_OUT_OF_PROVINCE');
    expect(await page.getByText('诉求 #1').count()).toBe(1);

    sim.provinceCode = undefined; // the province now takes appeals from anywhere
    await page.getByTestId(`province-resend-${ticket.ticketNo}`).click();
    await page.getByTestId(`province-dead-${ticket.ticketNo}`).waitFor({ state: 'detached' });
    await waitFor(async () => (await admin('GET', `/api/tickets/${ticket.id}`)).json().syncState === 'synced', 'synced after re-send');
    expect(sim.received()[ticket.ticketNo]).toEqual([1]);
    await page.getByRole('button', { name: 'reload' }).click();
    await expect.poll(() => page!.getByTestId('province-dead-count').textContent()).toBe('0');

    const before = await page.getByTestId('province-reports').locator('tbody tr.ant-table-row').count();
    await page.getByTestId('province-reconcile').click();
    await expect.poll(() => page!.getByTestId('province-reports').locator('tbody tr.ant-table-row').count()).toBe(before + 1);
    expect(await page.getByTestId('province-reports').locator('tbody tr.ant-table-row').first().textContent()).toContain('手动');
  }, 90_000);
});
