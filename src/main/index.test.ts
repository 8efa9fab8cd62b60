/**
 * Lifecycle test of index.ts: the whole wiring, run against a fake `electron` module.
 * Each test re-imports index.ts (its top level is the app's start-up).
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeElectronModule, type FakeElectronModule, type FakeMenu } from './testing/fake-electron.js';

let dir: string;

beforeEach(async () => {
  vi.resetModules();
  dir = await mkdtemp(path.join(tmpdir(), 'hotline-main-'));
  await mkdir(path.join(dir, 'userData'));
  await mkdir(path.join(dir, 'exe'));
  // Electron defines process.resourcesPath; plain Node does not.
  Object.defineProperty(process, 'resourcesPath', { value: path.join(dir, 'resources'), configurable: true });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(async () => {
  vi.doUnmock('electron');
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function boot(prepare: (e: FakeElectronModule) => void = () => {}) {
  // A fresh fake per test: vi.resetModules() does not reset the mock registry.
  const electron = createFakeElectronModule();
  vi.doMock('electron', () => electron);
  electron.app.paths['userData'] = path.join(dir, 'userData');
  electron.app.paths['exe'] = path.join(dir, 'exe', 'hotline-desk.exe');
  prepare(electron);
  await import('./index.js');
  return electron;
}

describe('main entry', () => {
  it('registers the app scheme before ready and does nothing else yet', async () => {
    const e = await boot();
    expect(e.recorded.schemes).toEqual([expect.objectContaining({ scheme: 'app' })]);
    expect(e.recorded.windows).toHaveLength(0);
    expect(e.ipcMain.handlers.size).toBe(0);
  });

  it('quits at once when another instance holds the lock', async () => {
    const e = await boot((e) => {
      e.app.hasLock = false;
    });
    expect(e.app.quitCalls).toBe(1);
    await e.app.becomeReady();
    expect(e.recorded.windows).toHaveLength(0);
  });

  it('on ready: serves the renderer with the CSP, guards permissions and IPC, opens the window, tray and hotkeys', async () => {
    const e = await boot();
    await writeFile(path.join(dir, 'exe', 'server-url.txt'), 'https://hotline.example.gov.cn:8443\r\n');
    await e.app.becomeReady();

    const handler = e.recorded.protocolHandlers.get('app');
    expect(handler).toBeDefined();
    const res = await handler!(new Request('app://desktop/..%2f..%2fpackage.json'));
    expect(res.status).toBe(403);
    expect(res.headers.get('content-security-policy')).toContain('connect-src \'self\' https://hotline.example.gov.cn:8443 wss://hotline.example.gov.cn:8443');

    expect(e.session.defaultSession.check('media', 'app://desktop', { mediaType: 'audio' })).toBe(true);
    expect(e.session.defaultSession.check('media', 'app://desktop', { mediaType: 'video' })).toBe(false);

    await expect(e.ipcMain.invoke('settings:get', 'app://desktop/index.html')).resolves.toEqual({
      serverUrl: 'https://hotline.example.gov.cn:8443',
    });
    await expect(e.ipcMain.invoke('settings:get', 'https://evil.example/')).rejects.toThrow(/untrusted-sender/);

    expect(e.recorded.windows).toHaveLength(1);
    const win = e.recorded.windows[0]!;
    expect(win.loadedUrls).toEqual(['app://desktop/index.html']);
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    // Run from source here, so beside src/main; in a build, out/preload/index.cjs.
    expect(String(win.options.webPreferences?.preload)).toMatch(/preload[\\/]index\.cjs$/);
    expect(win.webContents.navigate('https://evil.example/')).toBe(true);
    expect(e.recorded.menus.applicationMenu).toBeNull();

    expect(e.recorded.trays).toHaveLength(1);
    expect(e.globalShortcut.registered.size).toBe(4);
    e.globalShortcut.press('CommandOrControl+Alt+J');
    expect(win.webContents.sent).toEqual([{ channel: 'hotkey:pressed', args: ['answer'] }]);
  });

  it('hides on close while running, quits from the tray, and a second launch focuses the window', async () => {
    const e = await boot();
    await e.app.becomeReady();
    const win = e.recorded.windows[0]!;
    win.show();
    expect(win.requestClose()).toBe(true);
    expect(win.visible).toBe(false);

    e.app.emit('second-instance');
    expect(win.visible).toBe(true);
    expect(win.focused).toBe(true);

    (e.recorded.trays[0]!.contextMenu as FakeMenu).click('退出');
    expect(e.app.quitCalls).toBe(1);
    expect(win.requestClose()).toBe(false);
    e.app.emit('will-quit');
    expect(e.globalShortcut.registered.size).toBe(0);
  });

  it('reloads the window after the server origin changes, so the new CSP applies', async () => {
    const e = await boot();
    await e.app.becomeReady();
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    // The new server publishes its SIP WebSocket server, which the reloaded page's CSP allows.
    const site = { name: 'x', version: '1', demo: false, serverTime: new Date().toISOString(), sipWebSocketUrls: ['wss://sip.new.example:7443/ws'] };
    vi.stubGlobal('fetch', async (url: string) => ({ ok: url === 'https://new.example/api/site', status: 200, json: async () => site }));
    try {
      const win = e.recorded.windows[0]!;
      await e.ipcMain.invoke('settings:set-server-url', 'app://desktop/index.html', 'https://new.example');
      expect(win.webContents.reloads).toBe(0);
      await vi.advanceTimersByTimeAsync(200);
      expect(win.webContents.reloads).toBe(1);
      const res = await e.recorded.protocolHandlers.get('app')!(new Request('app://desktop/missing.js'));
      expect(res.headers.get('content-security-policy')).toContain('https://new.example wss://new.example wss://sip.new.example:7443');
    } finally {
      vi.useRealTimers();
      vi.unstubAllGlobals();
    }
  });
});
