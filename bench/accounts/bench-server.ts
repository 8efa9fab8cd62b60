/**
 * Child process for the API benchmark: the real app (PGlite in memory, or DATABASE_URL)
 * with info-level logging to /dev/null, and a bare Fastify server with one route, so the
 * two are measured under the same conditions. Prints the ports as JSON on stdout.
 */
import { createWriteStream } from 'node:fs';
import Fastify from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/config.js';

const config = loadConfig(process.env, {
  host: '127.0.0.1',
  port: 0,
  logLevel: 'info',
  adminPassword: 'Bench-pass-1',
  demo: false,
  inMemoryDatabase: !process.env.DATABASE_URL,
});
const { app } = await buildApp(config, { logger: false });
// Same logging cost as production: pino at info, one line per request, to /dev/null.
const { pino } = await import('pino');
const sink = pino({ level: 'info' }, createWriteStream('/dev/null'));
app.addHook('onResponse', async (req, reply) => {
  sink.info({ reqId: req.id, url: req.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime }, 'request completed');
});
await app.listen({ host: '127.0.0.1', port: 0 });

const bare = Fastify({ logger: false });
bare.get('/bare', async () => ({ status: 'ok' }));
await bare.listen({ host: '127.0.0.1', port: 0 });

const port = (s: typeof app) => (s.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ app: port(app), bare: port(bare) })}\n`);
process.on('SIGTERM', () => {
  void Promise.all([app.close(), bare.close()]).then(() => process.exit(0));
});
