import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAppPaths } from './app-paths.js';

describe('resolveAppPaths', () => {
  it('finds the electron-vite outputs beside the main bundle', () => {
    const p = resolveAppPaths({ mainDir: '/repo/out/main', isPackaged: false, resourcesPath: '/unused' });
    expect(p.rendererDir).toBe(path.resolve('/repo/out/renderer'));
    expect(p.preloadPath).toBe(path.resolve('/repo/out/preload/index.cjs'));
    expect(p.trayIconPath).toBe(path.resolve('/repo/resources/icons/tray.png'));
  });

  it('takes icons from the resources directory when packaged', () => {
    const p = resolveAppPaths({ mainDir: '/opt/hotline/resources/app.asar/out/main', isPackaged: true, resourcesPath: '/opt/hotline/resources' });
    expect(p.rendererDir).toBe(path.resolve('/opt/hotline/resources/app.asar/out/renderer'));
    expect(p.trayIconPath).toBe(path.join('/opt/hotline/resources', 'icons', 'tray.png'));
    expect(p.windowIconPath).toBe(path.join('/opt/hotline/resources', 'icons', 'icon.png'));
  });
});
