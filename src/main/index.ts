/**
 * Main-process entry: lifecycle and wiring only. Every decision lives in a module that takes
 * its Electron objects as parameters (and is unit-tested with src/main/testing/fake-electron.ts);
 * this file is the one place that hands it the real ones.
 *
 * Order matters: the privileged scheme is registered at module top level, before `ready`
 * (the bundled ESM entry runs synchronously up to here, so nothing is awaited before it).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, globalShortcut, ipcMain, Menu, Notification, protocol, session, shell, Tray } from 'electron';
import { resolveAppPaths } from './app-paths.js';
import { sendToRenderer } from './ipc/events.js';
import { createInvokeHandlers } from './ipc/handlers.js';
import { registerInvokeHandlers } from './ipc/register.js';
import { createLogger } from './log.js';
import { appScheme, createAppProtocolHandler } from './protocol/app-protocol.js';
import { buildCsp } from './security/csp.js';
import { externalHostsFor, installNavigationGuards } from './security/navigation.js';
import { APP_SCHEME, createOriginPolicy } from './security/origin.js';
import { installPermissionHandlers } from './security/permissions.js';
import { registerHotkeys, resolveHotkeyBindings } from './services/hotkeys.js';
import { createNotifier } from './services/notifications.js';
import { openSettingsStore } from './services/settings.js';
import { fetchSipWebSocketUrls } from './services/site-info.js';
import { createAppTray, type TrayPort } from './services/tray.js';
import { createUpdater } from './services/updater.js';
import { createMainWindow, focusMainWindow, mainWindowOptions, type MainWindowPort } from './windows/main-window.js';

const log = createLogger('main');

protocol.registerSchemesAsPrivileged([appScheme]);

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the softphone registration; it focuses its window ('second-instance').
  app.quit();
} else {
  start();
}

function start(): void {
  let mainWindow: MainWindowPort | null = null;
  let tray: TrayPort | null = null;
  let quitting = false;

  // electron-vite dev serves the renderer itself; never honoured in a packaged build.
  const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
  const policy = createOriginPolicy(devServerUrl);
  const paths = resolveAppPaths({
    mainDir: path.dirname(fileURLToPath(import.meta.url)),
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
  });

  app.on('second-instance', () => focusMainWindow(mainWindow));
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', () => globalShortcut.unregisterAll());
  // Reached only when quitting or when there is no tray to hide into.
  app.on('window-all-closed', () => app.quit());

  app
    .whenReady()
    .then(async () => {
      const settings = await openSettingsStore({
        userDataDir: app.getPath('userData'),
        preset: { env: process.env, exeDir: path.dirname(app.getPath('exe')) },
        log: createLogger('settings'),
      });

      // The softphone's SIP WebSocket may live on another origin (Kamailio's port): the CSP
      // allows the servers the backend publishes. Refreshed whenever the server changes.
      let sipWebSocketUrls: string[] = [];
      const refreshSipOrigins = async (): Promise<boolean> => {
        const urls = await fetchSipWebSocketUrls(settings.get().serverUrl, (u, i) => fetch(u, i), createLogger('site-info'));
        if (!urls || urls.join() === sipWebSocketUrls.join()) return false;
        sipWebSocketUrls = urls;
        return true;
      };
      await refreshSipOrigins();

      app.on('web-contents-created', (_event, contents) =>
        installNavigationGuards(contents, {
          policy,
          shell,
          allowedExternalHosts: () => externalHostsFor(settings.get().serverUrl),
          log: createLogger('navigation'),
        }),
      );
      protocol.handle(
        APP_SCHEME,
        createAppProtocolHandler({
          rendererDir: paths.rendererDir,
          csp: () => buildCsp(settings.get().serverUrl, sipWebSocketUrls),
          readFile,
          log: createLogger('protocol'),
        }),
      );
      installPermissionHandlers(session.defaultSession, policy, createLogger('permissions'));
      // The default menu offers reload and devtools shortcuts agents should not stumble on.
      if (app.isPackaged) Menu.setApplicationMenu(null);

      const focus = () => focusMainWindow(mainWindow);
      const notifier = createNotifier(
        { isSupported: () => Notification.isSupported(), create: (o) => new Notification(o) },
        focus,
        createLogger('notifications'),
      );
      registerInvokeHandlers(
        ipcMain,
        createInvokeHandlers({
          settings,
          notify: (n) => notifier.show(n),
          focusWindow: focus,
          // Let the invoke reply reach the page first, then reload so the new CSP applies.
          onServerOriginChanged: () =>
            void refreshSipOrigins().finally(() => setTimeout(() => mainWindow?.webContents.reload(), 100)),
        }),
        policy,
        createLogger('ipc'),
      );

      try {
        tray = createAppTray(
          { createTray: (icon) => new Tray(icon), buildMenu: (template) => Menu.buildFromTemplate(template) },
          paths.trayIconPath,
          { show: focus, quit: () => app.quit() },
        );
      } catch (err) {
        log.warn('no tray; closing the window will quit', err);
      }

      mainWindow = createMainWindow((options) => new BrowserWindow(options), {
        options: mainWindowOptions({
          preloadPath: paths.preloadPath,
          appVersion: app.getVersion(),
          isPackaged: app.isPackaged,
          iconPath: paths.windowIconPath,
        }),
        entryUrl: policy.entryUrl,
        hideOnClose: () => !quitting && tray !== null,
        log: createLogger('window'),
      });

      registerHotkeys(
        globalShortcut,
        resolveHotkeyBindings(settings.hotkeyOverrides()),
        (hotkey) => sendToRenderer(mainWindow?.webContents, 'hotkey:pressed', hotkey),
        createLogger('hotkeys'),
      );
      createUpdater(() => settings.get().serverUrl, createLogger('updater')).start();
    })
    .catch((err: unknown) => {
      log.error('startup failed', err);
      app.exit(1);
    });
}
