/** A backend with its own managed Kamailio (and rtpengine, when installed) on free loopback ports, for telephony tests. */
import type { Config } from '../../src/server/config/config.js';
import { freePorts } from './free-port.js';
import { createTestApp, type TestApp } from './test-app.js';

export interface TelephonyTestApp extends TestApp {
  sip: { port: number; wsPort: number; rpcPort: number; evapiPort: number; wsUrl: string; rtpengineNgPort: number };
}

export async function createTelephonyTestApp(overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<TelephonyTestApp> {
  const [port, wsPort, rpcPort, evapiPort, rtpengineNgPort, rtpengineDtmfPort] = (await freePorts(6)) as [number, number, number, number, number, number];
  // Media ports: a random 200-port block, so test files running side by side rarely meet.
  const rtpBase = 40000 + 200 * Math.floor(Math.random() * 100);
  const t = await createTestApp(
    { sipMode: 'managed', sipWsUrl: undefined, sipSecret: undefined, sipPort: port, sipWsPort: wsPort, sipRpcPort: rpcPort, sipEvapiPort: evapiPort, rtpengineNgPort, rtpengineDtmfPort, rtpenginePortMin: rtpBase, rtpenginePortMax: rtpBase + 199, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      // The voice service (welcome, menu) delays every trunk call by seconds: only tests of it turn it on.
      ivr: 'off', ...overrides },
    { listen: true, logger: Boolean(process.env.TEST_LOG_LEVEL) },
  );
  return { ...t, sip: { port, wsPort, rpcPort, evapiPort, wsUrl: `ws://127.0.0.1:${wsPort}`, rtpengineNgPort } };
}
