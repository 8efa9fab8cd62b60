/**
 * Packaging can't run here (electron-builder needs the Electron zip), so these tests load the
 * real configs the way the tools do and pin what the installers and the app rely on. The config
 * is read and schema-validated by electron-builder's own loader (app-builder-lib, installed with
 * electron-builder at an exact version).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util/out/DebugLogger.js';
import { describe, expect, it } from 'vitest';
import viteConfig from '../../electron.vite.config.js';
import { resolveAppPaths } from './app-paths.js';
import { PRESET_TEXT_FILE } from './services/settings.js';

const root = path.resolve(import.meta.dirname, '../..');

let loaded: ReturnType<typeof getConfig> | null = null;
/** Loaded once per file: the first load compiles electron-builder's JSON schema (~2 s). */
function loadBuilderConfig() {
  loaded ??= getConfig(root, path.join(root, 'electron-builder.yml'), null).then(async (config) => {
    await validateConfiguration(config, new DebugLogger(false));
    return config;
  });
  return loaded;
}

function targets(list: unknown): { target: string; arch: string[] }[] {
  return (Array.isArray(list) ? list : [list]) as { target: string; arch: string[] }[];
}

describe('electron-builder.yml', () => {
  it('passes electron-builder schema validation', async () => {
    await expect(loadBuilderConfig()).resolves.toMatchObject({ appId: 'cn.gov.hotline.desk', productName: '热线坐席' });
  });

  it('builds a per-machine NSIS installer that can run silently with the preset hook', async () => {
    const c = await loadBuilderConfig();
    expect(c.nsis?.perMachine).toBe(true);
    expect(c.nsis?.include).toBe('resources/installer.nsh');
    expect(existsSync(path.join(root, 'resources/installer.nsh'))).toBe(true);
    expect(targets(c.win?.target).map((t) => t.target)).toEqual(['nsis']);
  });

  it('builds deb packages for x64 and arm64', async () => {
    const c = await loadBuilderConfig();
    const deb = targets(c.linux?.target).find((t) => t.target === 'deb');
    expect(deb?.arch).toEqual(expect.arrayContaining(['x64', 'arm64']));
    expect(c.linux?.category).toMatch(/^Office;Telephony/);
  });

  it('ships only the bundles, never node_modules or the server build', async () => {
    const c = await loadBuilderConfig();
    // The loader normalizes `files` into file sets: [{ filter: [...] }].
    const files = (c.files as ({ filter?: string[] } | string)[]).flatMap((f) => (typeof f === 'string' ? [f] : (f.filter ?? [])));
    expect(files).toEqual(expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**', '!node_modules']));
    expect(files.some((f) => f.includes('server'))).toBe(false);
  });

  it('ships the icons main loads at runtime', async () => {
    const c = await loadBuilderConfig();
    expect(c.extraResources).toEqual([{ from: 'resources/icons', to: 'icons', filter: ['*.png'] }]);
    const packaged = resolveAppPaths({ mainDir: '/r/app.asar/out/main', isPackaged: true, resourcesPath: '/r' });
    for (const icon of [packaged.trayIconPath, packaged.windowIconPath]) {
      expect(existsSync(path.join(root, 'resources/icons', path.basename(icon))), icon).toBe(true);
    }
  });

  it('publishes to a generic provider whose URL comes from the environment', async () => {
    const c = await loadBuilderConfig();
    expect(c.publish).toEqual({ provider: 'generic', url: '${env.HOTLINE_UPDATE_URL}' });
  });
});

describe('resources/installer.nsh', () => {
  const nsh = readFileSync(path.join(root, 'resources/installer.nsh'), 'utf8');

  it('reads /SERVER= and writes the preset file the app reads', () => {
    expect(nsh).toContain('${GetOptions} $R0 "/SERVER=" $R1');
    expect(nsh).toContain(`"$INSTDIR\\${PRESET_TEXT_FILE}" w`);
    expect(nsh).toMatch(/!macro customInit[\s\S]*!macroend/);
    expect(nsh).toMatch(/!macro customInstall[\s\S]*!macroend/);
  });

  it('keeps installer-only definitions out of the uninstaller build', () => {
    const guarded = nsh.slice(nsh.indexOf('!ifndef BUILD_UNINSTALLER'));
    expect(guarded).toContain('Var HotlinePresetUrl');
    expect(nsh.indexOf('!ifndef BUILD_UNINSTALLER')).toBeLessThan(nsh.indexOf('Var HotlinePresetUrl'));
  });
});

describe('electron.vite.config.ts', () => {
  it('emits a CommonJS preload where main looks for it, with every dependency bundled', () => {
    if (typeof viteConfig !== 'object' || viteConfig === null || 'then' in viteConfig) throw new Error('expected a plain config');
    const preload = viteConfig.preload?.build;
    const output = preload?.rolldownOptions?.output;
    expect(Array.isArray(output)).toBe(false);
    expect(output).toMatchObject({ format: 'cjs', entryFileNames: '[name].cjs' });
    expect(preload?.externalizeDeps).toBe(false);
    expect(viteConfig.main?.build?.externalizeDeps).toBe(false);
    const { preloadPath } = resolveAppPaths({ mainDir: '/x/out/main', isPackaged: false, resourcesPath: '' });
    expect(path.basename(preloadPath)).toBe('index.cjs');
  });
});
