/** A backend with its own managed Kamailio on free loopback ports, for telephony tests. */
import type { Config } from '../../src/server/config/config.js';
import { freePorts } from './free-port.js';
import { createTestApp, type TestApp } from './test-app.js';

export interface TelephonyTestApp extends TestApp {
  sip: { port: number; wsPort: number; rpcPort: number; evapiPort: number; wsUrl: string };
}

export async function createTelephonyTestApp(overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<TelephonyTestApp> {
  const [port, wsPort, rpcPort, evapiPort] = (await freePorts(4)) as [number, number, number, number];
  const t = await createTestApp(
    { sipMode: 'managed', sipWsUrl: undefined, sipSecret: undefined, sipPort: port, sipWsPort: wsPort, sipRpcPort: rpcPort, sipEvapiPort: evapiPort, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent', ...overrides },
    { listen: true, logger: Boolean(process.env.TEST_LOG_LEVEL) },
  );
  return { ...t, sip: { port, wsPort, rpcPort, evapiPort, wsUrl: `ws://127.0.0.1:${wsPort}` } };
}
