/**
 * testing/ holds typed fakes of the Electron objects main's modules receive. Vitest cannot load
 * the real `electron` module (no binary here; `require('electron')` is only a path string), so
 * every tested module takes narrow "port" interfaces and these fakes implement exactly those,
 * plus helpers to drive them (emit an event, press a hotkey, invoke a channel as a renderer).
 * Because they implement the same interfaces index.ts satisfies with the real objects, a change
 * to a port breaks the fakes at compile time rather than silently.
 */
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions } from 'electron';
import type { InvokeEventLike, IpcMainPort } from '../ipc/register.js';
import type { ShellPort } from '../security/navigation.js';
import type { PermissionSessionPort } from '../security/permissions.js';
import type { GlobalShortcutPort } from '../services/hotkeys.js';
import type { NotificationPort, NotificationPorts } from '../services/notifications.js';
import type { TrayPort, TrayPorts } from '../services/tray.js';
import type { MainWindowPort, WindowContentsPort } from '../windows/main-window.js';

type Listener = (...args: never[]) => unknown;

/** A minimal typed event emitter the fakes share. */
class Emitter {
  private readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener): this {
    const wrapper = ((...args: never[]) => {
      this.off(event, wrapper);
      return listener(...args);
    }) as Listener;
    return this.on(event, wrapper);
  }
  off(event: string, listener: Listener): this {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== listener));
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
  }
  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

/** A cancellable Electron-style event. */
export function fakeEvent<T extends object>(fields: T): T & { preventDefault(): void; readonly defaultPrevented: boolean } {
  let prevented = false;
  // defineProperty, not Object.assign: assign would copy the getter's value once, not the getter.
  return Object.defineProperties(fields, {
    preventDefault: {
      value: () => {
        prevented = true;
      },
    },
    defaultPrevented: { get: () => prevented },
  }) as T & { preventDefault(): void; readonly defaultPrevented: boolean };
}

export class FakeWebContents extends Emitter implements WindowContentsPort {
  readonly sent: { channel: string; args: unknown[] }[] = [];
  reloads = 0;
  destroyed = false;
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;

  send(channel: string, ...args: unknown[]): void {
    // Real IPC structured-clones payloads; do the same so non-cloneable values fail here too.
    this.sent.push({ channel, args: structuredClone(args) });
  }
  reload(): void {
    this.reloads += 1;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  /** Simulates a navigation attempt; returns whether the guard cancelled it. */
  navigate(url: string, event: 'will-navigate' | 'will-redirect' = 'will-navigate'): boolean {
    const e = fakeEvent({ url });
    this.emit(event, e);
    return e.defaultPrevented;
  }
}

export class FakeBrowserWindow extends Emitter implements MainWindowPort {
  readonly webContents = new FakeWebContents();
  readonly loadedUrls: string[] = [];
  visible = false;
  minimized = false;
  focused = false;
  destroyed = false;
  loadError: Error | null = null;
  readonly calls: string[] = [];

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
    if (this.loadError) throw this.loadError;
  }
  show(): void {
    this.calls.push('show');
    this.visible = true;
  }
  hide(): void {
    this.calls.push('hide');
    this.visible = false;
    this.focused = false;
  }
  focus(): void {
    this.calls.push('focus');
    this.focused = true;
  }
  restore(): void {
    this.calls.push('restore');
    this.minimized = false;
  }
  moveTop(): void {
    this.calls.push('moveTop');
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Simulates the user closing the window; returns whether main cancelled the close. */
  requestClose(): boolean {
    const e = fakeEvent({});
    this.emit('close', e);
    return e.defaultPrevented;
  }
}

type PermissionRequestHandler = Parameters<PermissionSessionPort['setPermissionRequestHandler']>[0];
type PermissionCheckHandler = Parameters<PermissionSessionPort['setPermissionCheckHandler']>[0];

export class FakeSession implements PermissionSessionPort {
  requestHandler: PermissionRequestHandler | null = null;
  checkHandler: PermissionCheckHandler | null = null;

  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler): void {
    this.checkHandler = handler;
  }
  /** Runs the request handler as Chromium would and resolves with its answer. */
  request(permission: string, details: Parameters<PermissionRequestHandler>[3]): Promise<boolean> {
    const handler = this.requestHandler;
    if (!handler) throw new Error('no permission request handler installed');
    return new Promise((resolve) => handler(null, permission, resolve, details));
  }
  check(permission: string, requestingOrigin: string, details: Parameters<PermissionCheckHandler>[3] = {}): boolean {
    if (!this.checkHandler) throw new Error('no permission check handler installed');
    return this.checkHandler(null, permission, requestingOrigin, details);
  }
}

type InvokeListener = (event: InvokeEventLike, ...args: unknown[]) => unknown;

export class FakeIpcMain implements IpcMainPort {
  readonly handlers = new Map<string, InvokeListener>();

  handle(channel: string, listener: InvokeListener): void {
    // Electron throws on a second handler for one channel; so does the fake.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /**
   * Invokes a channel as a renderer frame at `senderUrl` would (null: the frame is gone).
   * Arguments and result are structured-cloned like real IPC.
   */
  async invoke(channel: string, senderUrl: string | null, ...args: unknown[]): Promise<unknown> {
    const listener = this.handlers.get(channel);
    if (!listener) throw new Error(`No handler registered for '${channel}'`);
    const event: InvokeEventLike = { senderFrame: senderUrl === null ? null : { url: senderUrl } };
    return structuredClone(await listener(event, ...structuredClone(args)));
  }
}

export class FakeGlobalShortcut implements GlobalShortcutPort {
  readonly registered = new Map<string, () => void>();
  /** Accelerators another program already owns. */
  readonly taken = new Set<string>();

  register(accelerator: string, callback: () => void): boolean {
    if (!/^(CommandOrControl|Ctrl|Control|Alt|Shift|Super|Meta)(\+[A-Za-z0-9]+)+$/.test(accelerator)) {
      throw new Error(`conversion failure: ${accelerator}`);
    }
    if (this.taken.has(accelerator) || this.registered.has(accelerator)) return false;
    this.registered.set(accelerator, callback);
    return true;
  }
  unregisterAll(): void {
    this.registered.clear();
  }
  press(accelerator: string): void {
    const cb = this.registered.get(accelerator);
    if (!cb) throw new Error(`${accelerator} is not registered`);
    cb();
  }
}

export class FakeTray extends Emitter implements TrayPort {
  toolTip = '';
  contextMenu: unknown = null;
  destroyed = false;
  constructor(readonly iconPath: string) {
    super();
  }
  setToolTip(toolTip: string): void {
    this.toolTip = toolTip;
  }
  setContextMenu(menu: unknown): void {
    this.contextMenu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** Menus are kept as their template so tests can click items. */
export interface FakeMenu {
  template: MenuItemConstructorOptions[];
  click(label: string): void;
}

export function fakeTrayPorts(): TrayPorts & { trays: FakeTray[] } {
  const trays: FakeTray[] = [];
  return {
    trays,
    createTray(iconPath) {
      const t = new FakeTray(iconPath);
      trays.push(t);
      return t;
    },
    buildMenu(template): FakeMenu {
      return {
        template,
        click(label) {
          const item = template.find((i) => i.label === label);
          if (!item?.click) throw new Error(`no menu item ${label}`);
          (item.click as () => void)();
        },
      };
    },
  };
}

export class FakeNotification extends Emitter implements NotificationPort {
  shown = false;
  constructor(readonly options: { title: string; body: string; silent: boolean }) {
    super();
  }
  show(): void {
    this.shown = true;
  }
}

export function fakeNotificationPorts(supported = true): NotificationPorts & { created: FakeNotification[] } {
  const created: FakeNotification[] = [];
  return {
    created,
    isSupported: () => supported,
    create(options) {
      const n = new FakeNotification(options);
      created.push(n);
      return n;
    },
  };
}

export class FakeShell implements ShellPort {
  readonly opened: string[] = [];
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  }
}

/** A logger that remembers what was logged, for asserting on warnings. */
export function recordingLogger() {
  const lines: { level: 'debug' | 'info' | 'warn' | 'error'; message: string; detail?: unknown }[] = [];
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, detail?: unknown) => {
    lines.push({ level, message, detail });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The `app` surface index.ts drives: lifecycle events, paths and the single-instance lock. */
export class FakeApp extends Emitter {
  isPackaged = true;
  hasLock = true;
  quitCalls = 0;
  exitCode: number | null = null;
  readonly paths: Record<string, string> = {};
  private resolveReady: () => void = () => {};
  private readonly ready = new Promise<void>((resolve) => {
    this.resolveReady = resolve;
  });

  requestSingleInstanceLock(): boolean {
    return this.hasLock;
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  /** Fires `ready` and lets the startup chain run to completion. */
  async becomeReady(): Promise<void> {
    this.resolveReady();
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
  }
  quit(): void {
    this.quitCalls += 1;
    this.emit('before-quit');
  }
  exit(code: number): void {
    this.exitCode = code;
  }
  getPath(name: string): string {
    const p = this.paths[name];
    if (!p) throw new Error(`no fake path for ${name}`);
    return p;
  }
  getVersion(): string {
    return '0.1.0-test';
  }
}

/**
 * A stand-in for the whole `electron` module, for `vi.mock('electron', …)` in the lifecycle
 * test of index.ts. Constructors record their instances so the test can reach them.
 */
export function createFakeElectronModule() {
  const windows: FakeBrowserWindow[] = [];
  const trays: FakeTray[] = [];
  const notifications: FakeNotification[] = [];
  const schemes: unknown[] = [];
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response> | Response>();
  const menus: { applicationMenu: unknown } = { applicationMenu: 'default' };
  const app = new FakeApp();
  return {
    app,
    ipcMain: new FakeIpcMain(),
    globalShortcut: new FakeGlobalShortcut(),
    shell: new FakeShell(),
    session: { defaultSession: new FakeSession() },
    protocol: {
      registerSchemesAsPrivileged(list: unknown[]) {
        schemes.push(...list);
      },
      handle(scheme: string, handler: (request: Request) => Promise<Response> | Response) {
        protocolHandlers.set(scheme, handler);
      },
    },
    Menu: {
      buildFromTemplate: (template: MenuItemConstructorOptions[]) => fakeTrayPorts().buildMenu(template),
      setApplicationMenu(menu: unknown) {
        menus.applicationMenu = menu;
      },
    },
    BrowserWindow: class extends FakeBrowserWindow {
      constructor(options: BrowserWindowConstructorOptions) {
        super(options);
        windows.push(this);
        // Electron announces every new WebContents while the window is being constructed.
        app.emit('web-contents-created', {}, this.webContents);
      }
    },
    Tray: class extends FakeTray {
      constructor(iconPath: string) {
        super(iconPath);
        trays.push(this);
      }
    },
    Notification: class extends FakeNotification {
      static isSupported() {
        return true;
      }
      constructor(options: { title: string; body: string; silent: boolean }) {
        super(options);
        notifications.push(this);
      }
    },
    recorded: { windows, trays, notifications, schemes, protocolHandlers, menus },
  };
}
export type FakeElectronModule = ReturnType<typeof createFakeElectronModule>;
