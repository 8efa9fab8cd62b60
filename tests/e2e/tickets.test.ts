/**
 * A ticket's life in the web console, in Debian's Chromium against the real server: an agent
 * opens the form from a caller's number, types, reloads mid-way and finds the draft, submits
 * for dispatch and dispatches by the rules; the unit user signs, works (a progress note with a photo, downloaded back intact) and replies; the
 * supervisor audits; the agent revisits and it is archived. The timeline shows every step.
 * Then the list's search box finds a ticket by a reworded Chinese phrase, and 导出台账 downloads
 * an .xlsx holding exactly the rows the search selects.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../harness/browser.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';

describe('tickets in the web console', () => {
  let t: TestApp;
  let url: string;
  let browser: Browser;
  const pages: Page[] = [];

  beforeAll(async () => {
    t = await createTestApp({}, { listen: true });
    url = baseUrl(t.app);
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    const mk = async (username: string, displayName: string, roles: string[]) =>
      (await admin('POST', '/api/users', { username, displayName, password: 'Pass-word-1', roles })).json().id as string;
    await mk('agent1', '孙坐席', ['agent']);
    await mk('sup1', '周班长', ['supervisor']);
    const unitUser = await mk('unit1', '吴经办', ['unit']);
    const unit = await admin('POST', '/api/refdata/units', { code: 'xihu-cg', name: '西湖区城管局', memberIds: [unitUser], regionCodes: ['330106'] });
    expect(unit.statusCode).toBe(201);
    expect((await admin('POST', '/api/refdata/dispatch-rules', { regionCode: '330100', leadUnitId: unit.json().id })).statusCode).toBe(201);
    browser = await launchChromium();
  });
  afterAll(async () => {
    // On failure, what each party saw (tests/e2e leave them in the temp dir).
    await Promise.all(pages.map((p, i) => p.screenshot({ path: `/tmp/hotline-e2e-tickets-${i}.png` }).catch(() => undefined)));
    await browser?.close();
    await t?.close();
  });

  async function signIn(username: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    pages.push(page);
    await page.goto(`${url}/`);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill('Pass-word-1');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor();
    return page;
  }

  async function act(page: Page, action: string, fill: Record<string, string> = {}): Promise<void> {
    await page.getByTestId(`ticket-action-${action}`).click();
    if (Object.keys(fill).length === 0) {
      await page.getByTestId('ticket-action-confirm').click();
    } else {
      for (const [testId, value] of Object.entries(fill)) await page.getByTestId(testId).fill(value);
      await page.getByTestId('ticket-action-submit').click();
    }
    // Done when the timeline shows the step.
    await page.getByTestId(`timeline-${action}`).first().waitFor();
  }

  async function openTicket(page: Page, ticketNo: string, tab?: string): Promise<void> {
    await page.goto(`${url}/#/tickets`);
    await page.reload(); // a fresh page: no drawer left open from before
    await page.getByTestId('tickets-page').waitFor();
    if (tab) await page.getByTestId(`ticket-tab-${tab}`).click();
    await page.getByTestId(`ticket-row-${ticketNo}`).click();
    await page.getByTestId('ticket-detail').waitFor();
  }

  it('registers from a caller, survives a reload, and walks dispatch → unit → audit → revisit', async () => {
    const agent = await signIn('agent1');
    await agent.goto(`${url}/#/tickets?new=1&caller=13800138000&callId=sim-call-1`);
    await agent.getByTestId('ticket-form').waitFor();
    expect(await agent.getByTestId('ticket-phone').inputValue()).toBe('13800138000');
    await agent.getByTestId('ticket-title').fill('路灯不亮');
    await agent.getByTestId('ticket-content').fill('文三路学院路口路灯连续三晚不亮');
    // Reload mid-way: the draft is still there.
    await agent.reload();
    await agent.getByTestId('ticket-form').waitFor();
    expect(await agent.getByTestId('ticket-title').inputValue()).toBe('路灯不亮');
    expect(await agent.getByTestId('ticket-content').inputValue()).toBe('文三路学院路口路灯连续三晚不亮');
    await agent.getByTestId('ticket-citizen-name').fill('张三');
    await agent.getByTestId('ticket-appeal-type').click();
    await agent.locator('.ant-select-item-option[title="求助"]').click();
    await agent.getByTestId('ticket-region').click();
    await agent.keyboard.type('西湖区');
    await agent.locator('.ant-select-tree-node-content-wrapper[title="西湖区（330106）"]').click();
    await agent.getByText('转派单').click();
    await agent.getByTestId('ticket-submit').click();
    await agent.getByTestId('ticket-detail').waitFor();
    const ticketNo = await agent.getByTestId('ticket-no').innerText();
    expect(ticketNo).toMatch(/^12345-\d{8}-\d{5}$/);
    expect(await agent.getByTestId('ticket-status').innerText()).toBe('待派单');
    expect(await agent.evaluate(() => localStorage.getItem('hotline.ticket-draft.v1'))).toBeNull();
    // Dispatch by the rules (no unit chosen).
    await agent.getByTestId('ticket-action-dispatch').click();
    await agent.getByTestId('ticket-action-submit').click();
    await agent.getByText('西湖区城管局').first().waitFor();
    expect(await agent.getByTestId('ticket-status').innerText()).toBe('待签收');

    const unit = await signIn('unit1');
    await openTicket(unit, ticketNo);
    expect(await unit.getByTestId('ticket-citizen-phone').innerText()).toBe('13800138000');
    await act(unit, 'sign');
    await act(unit, 'start');
    // A progress note with a photo (附件): uploaded when picked, shown in the timeline, downloaded back intact.
    const photo = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'binary'), randomBytes(3000)]);
    await unit.getByTestId('ticket-action-note').click();
    await unit.getByTestId('action-text').fill('已到现场查看');
    await unit.locator('[data-testid="attachment-upload"] input[type=file]').setInputFiles({ name: '现场照片.png', mimeType: 'image/png', buffer: photo });
    await unit.locator('.ant-upload-list-item-done').waitFor();
    await unit.getByTestId('ticket-action-submit').click();
    await unit.getByTestId('timeline-note').waitFor();
    const [download] = await Promise.all([unit.waitForEvent('download'), unit.getByTestId('attachment-link').click()]);
    expect(download.suggestedFilename()).toBe('现场照片.png');
    expect(readFileSync((await download.path())!).equals(photo)).toBe(true);
    await act(unit, 'reply', { 'action-result': '已更换灯泡，恢复照明' });
    expect(await unit.getByTestId('ticket-status').innerText()).toBe('待审核');

    const sup = await signIn('sup1');
    await openTicket(sup, ticketNo, 'review');
    await act(sup, 'audit', { 'action-opinion': '办理到位' });
    expect(await sup.getByTestId('ticket-status').innerText()).toBe('已办结');

    await openTicket(agent, ticketNo, 'mine');
    await agent.getByTestId('ticket-action-revisit').click();
    await agent.getByTestId('ticket-action-submit').click();
    await agent.getByTestId('timeline-revisit').waitFor();
    expect(await agent.getByTestId('ticket-status').innerText()).toBe('已归档');
    const timeline = await agent.getByTestId('ticket-timeline').innerText();
    for (const step of ['登记', '转派单', '派单', '签收', '开始办理', '办理进展', '申请办结', '办结审核', '回访']) expect(timeline).toContain(step);
    expect(timeline).toContain('吴经办（西湖区城管局）');
  }, 180_000);
  it('search box finds a reworded Chinese phrase; 导出台账 downloads exactly those rows', async () => {
    const agentApi = t.as((await t.login('agent1', 'Pass-word-1')).accessToken);
    const reg = async (title: string, content: string, phone: string) => {
      const res = await agentApi('POST', '/api/tickets', { clientId: randomUUID(), channel: 'phone', appealType: 'complaint', title, content, citizen: { name: '王小明', phone }, regionCode: '330106' });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().ticketNo as string;
    };
    const noise = await reg('烧烤店噪音扰民', '小区楼下烧烤店夜间噪音很大，影响休息。', '13900001111');
    const bus = await reg('公交车 WiFi 无法连接', '10 路公交车上的免费 WiFi 一直连不上。', '13700002222');

    const sup = await signIn('sup1');
    await sup.goto(`${url}/#/tickets`);
    await sup.getByTestId('ticket-tab-all').click();
    await sup.getByTestId(`ticket-row-${bus}`).waitFor();
    // 夜间噪音大 is nowhere verbatim (the text says 夜间噪音很大): found by the trigram search.
    const search = sup.locator('[data-testid="ticket-search"] input');
    await search.fill('夜间噪音大');
    await search.press('Enter');
    await sup.getByTestId(`ticket-row-${bus}`).waitFor({ state: 'detached' });
    await sup.getByTestId(`ticket-row-${noise}`).waitFor();
    expect(await sup.locator('[data-testid^="ticket-row-"]').count()).toBe(1);
    // The list masks the phone for everyone.
    expect(await sup.getByTestId('ticket-table').innerText()).toContain('139****1111');

    const [download] = await Promise.all([sup.waitForEvent('download'), sup.getByTestId('ticket-export').click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await download.path())!);
    const ws = wb.getWorksheet('工单台账')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1) as string[];
    const rows: Record<string, unknown>[] = [];
    ws.eachRow((row, n) => {
      if (n > 1) rows.push(Object.fromEntries(header.map((h, i) => [h, (row.values as unknown[])[i + 1] ?? ''])));
    });
    expect(rows.map((r) => r['工单编号'])).toEqual([noise]);
    // The ledger masks per reader like the detail view: a supervisor (who may contact citizens) gets
    // the number and name in full; never another ticket's.
    expect(rows[0]).toMatchObject({ 标题: '烧烤店噪音扰民', 市民: '王小明', 联系电话: '13900001111', 所属区域: '西湖区' });
    expect(JSON.stringify(rows)).not.toContain('13700002222');
  }, 60_000);
});
