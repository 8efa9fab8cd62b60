/**
 * Call parties for end-to-end tests: each is its own Chromium process with its own tone
 * as the fake microphone (the fake capture file applies per process), driving either the
 * agent console or the caller simulator through their test ids and `window.__softphone`.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, type LaunchOptions, signInConsole } from './browser.js';
import { toneWav } from './tones.js';

export interface Party {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** dB level of a frequency in what this party hears. */
  levelAt(hz: number): Promise<number>;
  close(): Promise<void>;
}

/** Heard: clearly above the analyser's floor; silent: far below. (Levels measured: tone ≈ −30 dB, silence < −100 dB.) */
export const HEARD_DB = -60;

async function open(toneHz: number, url: string, launch: Omit<LaunchOptions, 'fakeAudioFile'> = {}): Promise<Party> {
  const browser = await launchChromium({ ...launch, fakeAudioFile: toneWav(toneHz) });
  const context = await browser.newContext();
  // Chrome's echo cancellation/AGC attenuate a steady tone: off for tone tests only.
  await context.addInitScript(() => localStorage.setItem('hotline.softphone.audioProcessing', 'off'));
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[page ${toneHz} Hz] ${err.message}`));
  await page.goto(url);
  return {
    browser,
    context,
    page,
    levelAt: (hz) => page.evaluate((f) => window.__softphone!.levelAt(f, 400), hz),
    close: () => browser.close(),
  };
}

declare global {
  interface Window {
    __softphone?: { levelAt(hz: number, windowMs?: number): Promise<number>; stats(): Promise<{ bytesReceived: number; bytesSent: number }> };
  }
}

export async function openAgent(baseUrl: string, toneHz: number, username: string, password: string, launch?: Omit<LaunchOptions, 'fakeAudioFile'>): Promise<Party> {
  const p = await open(toneHz, `${baseUrl}/`, launch);
  await signInAgent(p.page, username, password, 30_000);
  return p;
}

/** Signs an agent in on a page at the console and waits until its softphone is registered. */
export async function signInAgent(page: Page, username: string, password: string, consoleTimeout = 60_000): Promise<void> {
  await signInConsole(page, username, password);
  await page.getByTestId('agent-console').waitFor({ timeout: consoleTimeout });
  await page.locator('[data-testid="softphone-registration"][data-status="registered"]').waitFor({ timeout: 15_000 });
}

/**
 * A supervisor on the wallboard (班长监控). `levelAt` measures what the supervisor's
 * monitoring leg hears (`window.__monitor`), not the agent softphone.
 */
export async function openSupervisor(baseUrl: string, toneHz: number, username: string, password: string): Promise<Party> {
  const p = await open(toneHz, `${baseUrl}/`);
  await signInConsole(p.page, username, password);
  await p.page.locator('[data-testid="supervisor-page"][data-loaded="true"]').waitFor({ timeout: 15_000 });
  return { ...p, levelAt: (hz) => p.page.evaluate((f) => (window as unknown as { __monitor?: { levelAt(hz: number, ms: number): Promise<number> } }).__monitor?.levelAt(f, 400) ?? -200, hz) };
}

export async function openCaller(baseUrl: string, toneHz: number, number = '13800138000', launch?: Omit<LaunchOptions, 'fakeAudioFile'>): Promise<Party> {
  const p = await open(toneHz, `${baseUrl}/sim/caller.html`, launch);
  await p.page.getByTestId('sim-number').fill(number);
  await p.page.getByTestId('sim-register').click();
  await p.page.locator('[data-testid="sim-registration-status"][data-status="registered"]').waitFor({ timeout: 15_000 });
  return p;
}

export async function callStatus(page: Page, testId: 'call-status' | 'sim-call-status', status: string, timeout = 10_000): Promise<void> {
  await page.locator(`[data-testid="${testId}"][data-status="${status}"]`).first().waitFor({ timeout });
}

/** Polls until the party hears (or stops hearing) a tone. */
export async function expectHears(party: Party, hz: number, heard = true, timeout = 8000): Promise<number> {
  const deadline = Date.now() + timeout;
  let level = -200;
  while (Date.now() < deadline) {
    level = await party.levelAt(hz);
    if (heard ? level > HEARD_DB : level < HEARD_DB) return level;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${heard ? 'expected to hear' : 'expected silence at'} ${hz} Hz; level ${level.toFixed(1)} dB`);
}
