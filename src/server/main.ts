/**
 * Process entry: configuration, listen, first-run banner, graceful shutdown (stop taking
 * requests, let in-flight ones finish, drop sockets, close the database).
 */
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const { app, seed, startServices } = await buildApp(config);
  await app.listen({ host: config.host, port: config.port });
  try {
    await startServices();
  } catch (err) {
    // The console and tickets still work without the SIP server; say so loudly.
    app.log.error({ err }, 'telephony services failed to start; softphones cannot register');
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;

  const banner = [`热线坐席 Hotline Desk is running: ${url}/`, `API docs: ${url}/docs`];
  if (seed.created) {
    banner.push('First run: accounts created (shown once; also in first-run-credentials.txt in the data directory when embedded):');
    for (const c of seed.credentials) banner.push(`  ${c.username}  password: ${c.password}`);
  }
  process.stdout.write(`\n${banner.join('\n')}\n\n`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('shutdown took over 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
