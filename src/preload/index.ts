/**
 * Preload entry, run in the sandbox before the page. Bundled to CommonJS (out/preload/index.cjs)
 * because sandboxed preloads cannot load ES modules or anything but `electron`.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createDesktopApi } from './desktop-api.js';

contextBridge.exposeInMainWorld('desktop', createDesktopApi(ipcRenderer, { platform: process.platform, argv: process.argv }));
