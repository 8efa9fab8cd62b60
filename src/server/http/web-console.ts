/**
 * Serves the built renderer at '/' (web mode) with a strict Content-Security-Policy.
 * The console uses hash routing, so only index.html and hashed assets are served.
 */
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const webConsoleCsp = [
  "default-src 'self'",
  "script-src 'self'",
  // antd's CSS-in-JS injects <style> elements.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "font-src 'self' data:",
  // 'self' covers same-origin ws:/wss: in CSP3 browsers; SIP over WSS may use another host.
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export async function registerWebConsole(app: FastifyInstance, webRoot: string, opts: { simulator: boolean }): Promise<boolean> {
  if (!existsSync(`${webRoot}/index.html`)) {
    app.log.warn({ webRoot }, 'web console not built (npm run build:web); serving the API only');
    return false;
  }
  // The caller simulator places test calls: demo and development sites only.
  if (!opts.simulator) {
    app.addHook('onRequest', async (req, reply) => {
      if (req.url.startsWith('/sim/')) return reply.code(404).send({ statusCode: 404, code: 'NOT_FOUND', message: 'Not found' });
    });
  }
  await app.register(fastifyStatic, {
    root: webRoot,
    prefix: '/',
    index: ['index.html'],
    wildcard: true,
    setHeaders(res, path) {
      res.setHeader('content-security-policy', webConsoleCsp);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      // Hashed assets never change; index.html must always be revalidated after an upgrade.
      res.setHeader('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
  });
  return true;
}
