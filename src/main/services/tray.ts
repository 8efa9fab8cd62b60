/**
 * The tray icon: the way back to a window hidden on close, and the only "quit" an agent has
 * (closing the window keeps the softphone registered). Labels are Chinese: the product is.
 */
import type { MenuItemConstructorOptions } from 'electron';

export const trayTooltip = '热线坐席 Hotline Desk';

/** The part of Electron's `Tray` used here. */
export interface TrayPort {
  setToolTip(toolTip: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click' | 'double-click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayPorts {
  createTray(iconPath: string): TrayPort;
  buildMenu(template: MenuItemConstructorOptions[]): unknown;
}

export interface TrayActions {
  show(): void;
  quit(): void;
}

export function trayMenuTemplate(actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: '显示主窗口', click: () => actions.show() },
    { type: 'separator' },
    { label: '退出', click: () => actions.quit() },
  ];
}

export function createAppTray(ports: TrayPorts, iconPath: string, actions: TrayActions): TrayPort {
  const tray = ports.createTray(iconPath);
  tray.setToolTip(trayTooltip);
  tray.setContextMenu(ports.buildMenu(trayMenuTemplate(actions)));
  // Windows raises 'click'; Linux AppIndicator trays only show the menu, which has "show" too.
  tray.on('click', () => actions.show());
  tray.on('double-click', () => actions.show());
  return tray;
}
