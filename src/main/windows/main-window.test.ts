import { describe, expect, it } from 'vitest';
import { decodeLaunchArgs } from '../../shared/desktop-launch-args.js';
import { silentLogger } from '../log.js';
import { FakeBrowserWindow } from '../testing/fake-electron.js';
import { createMainWindow, focusMainWindow, mainWindowOptions, maxCrashReloadsPerMinute } from './main-window.js';

describe('mainWindowOptions', () => {
  const options = mainWindowOptions({ preloadPath: '/app/out/preload/index.cjs', appVersion: '1.2.3', isPackaged: true });

  it('hardens the renderer', () => {
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
      preload: '/app/out/preload/index.cjs',
    });
  });

  it('lets the ringtone play without a prior click and keeps timers running in the background', () => {
    expect(options.webPreferences?.autoplayPolicy).toBe('no-user-gesture-required');
    expect(options.webPreferences?.backgroundThrottling).toBe(false);
  });

  it('hands the app version to the preload on its command line', () => {
    expect(decodeLaunchArgs(options.webPreferences?.additionalArguments ?? [])).toEqual({ appVersion: '1.2.3' });
  });

  it('starts hidden (shown on ready-to-show) and keeps devtools for development builds', () => {
    expect(options.show).toBe(false);
    expect(mainWindowOptions({ preloadPath: 'p', appVersion: '1', isPackaged: false }).webPreferences?.devTools).toBe(true);
  });
});

function setup(opts: { hideOnClose?: () => boolean; now?: () => number } = {}) {
  let created: FakeBrowserWindow | null = null;
  const win = createMainWindow(
    (o) => {
      created = new FakeBrowserWindow(o);
      return created;
    },
    {
      options: mainWindowOptions({ preloadPath: 'p', appVersion: '1', isPackaged: true }),
      entryUrl: 'app://desktop/index.html',
      hideOnClose: opts.hideOnClose ?? (() => true),
      log: silentLogger,
      ...(opts.now ? { now: opts.now } : {}),
    },
  );
  if (!created) throw new Error('factory not called');
  expect(win).toBe(created);
  return created as FakeBrowserWindow;
}

describe('createMainWindow', () => {
  it('loads the entry URL and shows the window once it is ready', () => {
    const win = setup();
    expect(win.loadedUrls).toEqual(['app://desktop/index.html']);
    expect(win.visible).toBe(false);
    win.emit('ready-to-show');
    expect(win.visible).toBe(true);
  });

  it('hides to the tray on close, but closes for real while quitting', () => {
    let quitting = false;
    const win = setup({ hideOnClose: () => !quitting });
    win.show();
    expect(win.requestClose()).toBe(true);
    expect(win.visible).toBe(false);
    quitting = true;
    expect(win.requestClose()).toBe(false);
  });

  it('reloads after a renderer crash, but not in a crash loop', () => {
    let t = 0;
    const win = setup({ now: () => t });
    win.webContents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    expect(win.webContents.reloads).toBe(0);
    for (let i = 0; i < maxCrashReloadsPerMinute + 2; i++) {
      t += 1000;
      win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    }
    expect(win.webContents.reloads).toBe(maxCrashReloadsPerMinute);
    t += 61_000;
    win.webContents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 1 });
    expect(win.webContents.reloads).toBe(maxCrashReloadsPerMinute + 1);
  });
});

describe('focusMainWindow', () => {
  it('restores, shows and focuses', () => {
    const win = new FakeBrowserWindow({});
    win.minimized = true;
    focusMainWindow(win);
    expect(win.calls).toEqual(['restore', 'show', 'moveTop', 'focus']);
    expect(win.focused).toBe(true);
  });

  it('ignores a missing or destroyed window', () => {
    expect(() => focusMainWindow(null)).not.toThrow();
    const win = new FakeBrowserWindow({});
    win.destroyed = true;
    focusMainWindow(win);
    expect(win.calls).toEqual([]);
  });
});
