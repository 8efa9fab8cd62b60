/**
 * Where main finds the files it serves or loads. The layout follows electron-vite's output
 * (`out/main`, `out/preload`, `out/renderer`, packed into app.asar) and electron-builder's
 * `extraResources` (icons copied to `<resources>/icons`, outside the asar so the OS can read
 * them). In development `resources/` at the repository root is used directly.
 */
import path from 'node:path';

export interface AppPaths {
  rendererDir: string;
  preloadPath: string;
  trayIconPath: string;
  windowIconPath: string;
}

export interface AppPathsInput {
  /** Directory of the running main bundle (`out/main`). */
  mainDir: string;
  isPackaged: boolean;
  /** `process.resourcesPath` */
  resourcesPath: string;
}

export function resolveAppPaths(input: AppPathsInput): AppPaths {
  const outDir = path.resolve(input.mainDir, '..');
  const iconsDir = input.isPackaged
    ? path.join(input.resourcesPath, 'icons')
    : path.resolve(outDir, '..', 'resources', 'icons');
  return {
    rendererDir: path.join(outDir, 'renderer'),
    // Sandboxed preloads cannot be ES modules: electron.vite.config.ts emits CommonJS.
    preloadPath: path.join(outDir, 'preload', 'index.cjs'),
    trayIconPath: path.join(iconsDir, 'tray.png'),
    // Linux window managers take the window icon from here; Windows uses the exe's icon.
    windowIconPath: path.join(iconsDir, 'icon.png'),
  };
}
