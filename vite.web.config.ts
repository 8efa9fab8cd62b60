/**
 * Builds the renderer as a plain web page (`out/web`), which the backend serves at `/`.
 * The desktop build uses the same `src/renderer` root through electron.vite.config.ts.
 *
 * `npx vite --config vite.web.config.ts` serves it for development and proxies the API and
 * Socket.IO to HOTLINE_DEV_SERVER (default http://127.0.0.1:8080).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));
const devBackend = process.env['HOTLINE_DEV_SERVER'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: `${repoRoot}src/renderer`,
  base: '/',
  plugins: [react()],
  build: {
    outDir: `${repoRoot}out/web`,
    emptyOutDir: true,
    // antd alone is ~1 MB: keep libraries in their own long-cached chunks, apart from app code.
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      // The console, and the caller simulator (out/web/sim/caller.html) that the backend
      // serves on demo/dev sites only. The desktop build has the console alone.
      input: {
        index: `${repoRoot}src/renderer/index.html`,
        caller: `${repoRoot}src/renderer/sim/caller.html`,
      },
      output: {
        codeSplitting: {
          groups: [
            { name: 'antd', test: /node_modules[\\/](antd|@ant-design|@rc-component|rc-[^\\/]+)[\\/]/, priority: 2 },
            { name: 'vendor', test: /node_modules/, priority: 1 },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': devBackend,
      '/socket.io': { target: devBackend, ws: true },
    },
  },
});
