import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

/**
 * Desktop build (`npm run build:desktop`): main → out/main (ESM, package.json is "type":
 * "module"), preload → out/preload/index.cjs, renderer → out/renderer.
 *
 * Main and preload bundle their dependencies (`externalizeDeps: false`): the packaged app ships
 * no node_modules (electron-builder.yml excludes them; package.json's dependencies are the
 * server's), and a sandboxed preload can `require` nothing but `electron`. The preload is
 * CommonJS because sandboxed preloads cannot be ES modules.
 */
export default defineConfig({
  main: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'src/main/index.ts') },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    build: {
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') },
      },
    },
    plugins: [react()],
  },
});
