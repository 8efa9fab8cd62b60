/**
 * windows/ owns the one BrowserWindow: its hardened options, its lifecycle (shown when ready,
 * hidden to the tray on close, reloaded after a renderer crash) and bringing it forward.
 * Navigation guards are attached to every WebContents by index.ts ('web-contents-created'),
 * which fires inside the BrowserWindow constructor, before anything loads.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { encodeLaunchArgs } from '../../shared/desktop-launch-args.js';
import type { Logger } from '../log.js';
import type { GuardedContentsPort } from '../security/navigation.js';

export interface MainWindowOptionsInput {
  preloadPath: string;
  appVersion: string;
  isPackaged: boolean;
  iconPath?: string | undefined;
}

export function mainWindowOptions(input: MainWindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: '热线坐席',
    width: 1366,
    height: 820,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: !input.isPackaged,
      // The ringtone must sound for an incoming call even if the agent never clicked the page.
      autoplayPolicy: 'no-user-gesture-required',
      // The console sits minimized or hidden most of the shift; throttled timers would delay SIP
      // re-registration, keep-alives and the ringtone.
      backgroundThrottling: false,
      additionalArguments: encodeLaunchArgs({ appVersion: input.appVersion }),
    },
  };
}

/** The part of the window's WebContents main uses; real web contents satisfy it. */
export interface WindowContentsPort extends GuardedContentsPort {
  send(channel: string, ...args: unknown[]): void;
  reload(): void;
  isDestroyed(): boolean;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { url: string; preventDefault(): void }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string; exitCode: number }) => void): unknown;
}

/** The part of BrowserWindow main uses; a real BrowserWindow satisfies it. */
export interface MainWindowPort {
  readonly webContents: WindowContentsPort;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  moveTop(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
}

export type WindowFactory = (options: BrowserWindowConstructorOptions) => MainWindowPort;

export interface CreateMainWindowDeps {
  options: BrowserWindowConstructorOptions;
  entryUrl: string;
  /** True while the app is not quitting and a tray exists to bring the window back. */
  hideOnClose: () => boolean;
  log: Logger;
  now?: () => number;
}

/** A crashed renderer is reloaded, but at most this many times per minute (no crash loops). */
export const maxCrashReloadsPerMinute = 3;

export function createMainWindow(factory: WindowFactory, deps: CreateMainWindowDeps): MainWindowPort {
  const win = factory(deps.options);
  const now = deps.now ?? Date.now;

  win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    if (!deps.hideOnClose()) return;
    event.preventDefault();
    win.hide();
  });

  let recentCrashes: number[] = [];
  win.webContents.on('render-process-gone', (_event, details) => {
    deps.log.error('renderer process gone', details);
    if (details.reason === 'clean-exit' || win.isDestroyed()) return;
    const t = now();
    recentCrashes = recentCrashes.filter((c) => t - c < 60_000);
    if (recentCrashes.length >= maxCrashReloadsPerMinute) {
      deps.log.error('renderer keeps crashing; not reloading again this minute');
      return;
    }
    recentCrashes.push(t);
    win.webContents.reload();
  });

  win.loadURL(deps.entryUrl).catch((err: unknown) => deps.log.error(`failed to load ${deps.entryUrl}`, err));
  return win;
}

/** Brings the window forward (incoming call, notification click, second launch). */
export function focusMainWindow(win: MainWindowPort | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.moveTop();
  win.focus();
}
