/**
 * 基础数据 in the web console: an admin creates a handling unit (a bad code is refused on the
 * field, a taken one by the server on the same field) and a dispatch rule for its district in
 * the UI; a ticket registered through the API in that district is then dispatched to that
 * unit by the rules. The admin adds a calendar override date and the API returns it. In the
 * code tables the admin adds a category under 城乡建设 (next free code suggested), is refused a
 * taken code on the field, and disables the new category.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signInConsole } from '../harness/browser.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';

describe('reference data admin page', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page | undefined;

  beforeAll(async () => {
    t = await createTestApp({}, { listen: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await page?.screenshot({ path: '/tmp/hotline-e2e-refdata-admin.png' }).catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('creates a unit and a dispatch rule that dispatch a ticket, and saves a calendar override', async () => {
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    for (const [username, roles] of [['agent1', ['agent']], ['unit9', ['unit']]] as const) {
      const r = await admin('POST', '/api/users', { username, displayName: username === 'unit9' ? '钱经办' : '孙坐席', password: 'Pass-word-1', roles });
      expect(r.statusCode, r.body).toBe(201);
    }

    page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${baseUrl(t.app)}/`);
    await signInConsole(page, 'admin', ADMIN_PASSWORD);
    await page.getByTestId('nav-refdata').click();
    await page.getByTestId('refdata-units').waitFor();

    // 承办单位: a code the contract refuses stays on the field, nothing is sent.
    await page.getByTestId('create-unit-button').click();
    await page.getByTestId('unit-form-code').fill('坏 编码');
    await page.getByTestId('unit-form-name').fill('西湖区测试局');
    await page.getByTestId('unit-form-regions').click();
    await page.keyboard.type('西湖');
    await page.getByTestId('unit-form-region-330106').click();
    await page.getByTestId('unit-form-members').click();
    await page.getByTestId('unit-form-member-unit9').click();
    await page.getByTestId('unit-form-submit').click();
    await expect.poll(() => page!.getByTestId('unit-form').innerText()).toContain('单位编码为 1–32 位字母、数字或 _ . -');
    await page.getByTestId('unit-form-code').fill('xihu-test');
    await page.getByTestId('unit-form-submit').click();
    const row = page.getByTestId('unit-row-xihu-test');
    await row.waitFor();
    expect(await row.innerText()).toMatch(/西湖区测试局[\s\S]*西湖区[\s\S]*钱经办/);

    // The same code again: the server's CONFLICT lands on the code field.
    await page.getByTestId('create-unit-button').click();
    await page.getByTestId('unit-form-code').fill('xihu-test');
    await page.getByTestId('unit-form-name').fill('重复单位');
    await page.getByTestId('unit-form-submit').click();
    await expect.poll(() => page!.getByTestId('unit-form').innerText()).toContain('单位编码已存在');
    await page.getByRole('button', { name: /取\s*消/ }).click();
    await page.getByTestId('unit-form').waitFor({ state: 'detached' });

    // 分拨规则: 西湖区 → the new unit.
    await page.getByTestId('refdata-tab-dispatch').click();
    await page.getByTestId('create-dispatch-rule-button').click();
    await page.getByTestId('dispatch-form-region').click();
    await page.keyboard.type('西湖');
    await page.getByTestId('dispatch-form-region-330106').click();
    await page.getByTestId('dispatch-form-lead').click();
    await page.getByTestId('dispatch-form-lead-xihu-test').click();
    await page.getByTestId('dispatch-form-submit').click();
    const rule = page.getByTestId('dispatch-rule-row-330106-any');
    await rule.waitFor();
    expect(await rule.innerText()).toContain('西湖区测试局');

    // The rules choose the unit for a ticket from 西湖区.
    const unitId = ((await admin('GET', '/api/refdata')).json().units as { id: string; code: string }[]).find((u) => u.code === 'xihu-test')!.id;
    const agent = t.as((await t.login('agent1', 'Pass-word-1')).accessToken);
    const reg = await agent('POST', '/api/tickets', {
      clientId: randomUUID(), channel: 'phone', title: '噪音扰民', content: '夜间施工', appealType: 'complaint', regionCode: '330106', forDispatch: true,
    });
    expect(reg.statusCode, reg.body).toBe(201);
    const dispatched = await agent('POST', `/api/tickets/${reg.json().id}/actions`, { version: reg.json().version, command: { type: 'dispatch' } });
    expect(dispatched.statusCode, dispatched.body).toBe(200);
    expect(dispatched.json()).toMatchObject({ status: 'dispatched', leadUnitId: unitId, leadUnitName: '西湖区测试局' });

    // 工作日历: an extra holiday on a plain weekday of this year, saved and read back.
    const year = new Date().getFullYear();
    let day = new Date(Date.UTC(year, 10, 18));
    while ([0, 6].includes(day.getUTCDay())) day = new Date(day.getTime() + 86_400_000);
    const date = day.toISOString().slice(0, 10);
    await page.getByTestId('refdata-tab-calendar').click();
    await page.getByTestId('refdata-calendar').waitFor();
    const picker = page.getByTestId('calendar-add-date');
    const dateInput = (await picker.evaluate((el) => el.tagName)) === 'INPUT' ? picker : picker.locator('input');
    await dateInput.click();
    await dateInput.fill(date);
    await dateInput.press('Enter');
    await page.getByTestId('calendar-add-note').fill('临时放假');
    await page.getByTestId('calendar-add').click();
    await page.getByTestId(`calendar-override-${date}`).waitFor();
    await page.getByTestId('calendar-save').click();
    await page.getByTestId('calendar-unsaved').waitFor({ state: 'detached' });
    await expect.poll(() => page!.getByTestId('calendar-holidays').innerText()).toContain(date.slice(5));
    const cal = (await admin('GET', `/api/refdata/calendar/${year}`)).json();
    expect(cal.overrides).toEqual([{ date, isWorkday: false, note: '临时放假' }]);
    expect(cal.holidays).toContain(date);
  }, 60_000);
  it('adds a category under a parent, refuses a taken code, and disables it', async () => {
    const p = page!;
    await p.getByTestId('refdata-tab-codes').click();
    await p.getByTestId('refdata-codes').waitFor();
    await p.getByTestId('category-add-child-01').click();
    expect(await p.getByTestId('category-form-code').inputValue()).toBe('0104'); // 0101–0103 are taken
    expect(await p.getByTestId('category-form-parent-hint').innerText()).toContain('城乡建设（01）');
    await p.getByTestId('category-form-name').fill('燃气供应');
    await p.getByTestId('category-form-submit').click();
    await p.getByTestId('category-row-0104').waitFor(); // shown under its parent, expanded
    expect(await p.getByTestId('category-row-0104').innerText()).toContain('燃气供应');

    await p.getByTestId('create-category-button').click();
    await p.getByTestId('category-form-code').fill('01');
    await p.getByTestId('category-form-name').fill('重复代码');
    await p.getByTestId('category-form-submit').click();
    await expect.poll(() => p.getByTestId('category-form').innerText()).toContain('该代码已存在');
    await p.getByRole('button', { name: /取\s*消/ }).click();
    await p.getByTestId('category-form').waitFor({ state: 'detached' });

    await p.getByTestId('category-disable-0104').click();
    await p.getByTestId('category-disable-confirm-0104').click();
    await p.getByTestId('category-enable-0104').waitFor();
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    const cats = (await admin('GET', '/api/refdata')).json().categories as { code: string; name: string; parentCode: string; active: boolean }[];
    expect(cats.find((c) => c.code === '0104')).toEqual({ code: '0104', parentCode: '01', name: '燃气供应', sort: 0, active: false });
  }, 30_000);
});
