import { describe, expect, it } from 'vitest';
import { fakeTrayPorts, type FakeMenu } from '../testing/fake-electron.js';
import { createAppTray, trayTooltip } from './tray.js';

describe('createAppTray', () => {
  it('shows the window from a click or the menu, and quits from the menu', () => {
    const ports = fakeTrayPorts();
    const actions: string[] = [];
    createAppTray(ports, '/icons/tray.png', { show: () => actions.push('show'), quit: () => actions.push('quit') });
    const [tray] = ports.trays;
    if (!tray) throw new Error('no tray created');
    expect(tray.iconPath).toBe('/icons/tray.png');
    expect(tray.toolTip).toBe(trayTooltip);

    tray.emit('click');
    tray.emit('double-click');
    const menu = tray.contextMenu as FakeMenu;
    menu.click('显示主窗口');
    menu.click('退出');
    expect(actions).toEqual(['show', 'show', 'show', 'quit']);
  });
});
