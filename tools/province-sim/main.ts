/**
 * `npm run province-sim`: runs the province simulator as its own process.
 *
 * Environment: PROVINCE_SIM_PORT (default 9345), PROVINCE_SIM_HOST (127.0.0.1),
 * PROVINCE_APP_KEY / PROVINCE_APP_SECRET / PROVINCE_SIGN_METHOD (HMAC-SHA256 | SM3-HMAC) /
 * PROVINCE_SM4_KEY — the same values the backend has as HOTLINE_PROVINCE_* —,
 * PROVINCE_SIM_CITY_URL (the city's push endpoint, e.g. http://127.0.0.1:8080/api/province/inbound),
 * PROVINCE_SIM_PROVINCE_CODE (e.g. 44), and faults as JSON in PROVINCE_SIM_FAULTS
 * ({"latencyMs":200,"failRate":0.3,"timeoutAfterCommitRate":0.05,"dropRate":0.01}).
 * Control endpoints: GET /__sim/received, GET /__sim/events, POST /__sim/faults, POST /__sim/dispatch, POST /__sim/reset.
 */
import { signMethods, type SignMethod } from '../../src/shared/api/province.js';
import { ProvinceSimulator, type SimFaults } from './simulator.js';

const env = process.env;
const method = (env.PROVINCE_SIGN_METHOD ?? 'HMAC-SHA256') as SignMethod;
if (!signMethods.includes(method)) {
  process.stderr.write(`PROVINCE_SIGN_METHOD must be one of ${signMethods.join(', ')}\n`);
  process.exit(2);
}
const sim = new ProvinceSimulator({
  port: Number(env.PROVINCE_SIM_PORT ?? 9345),
  host: env.PROVINCE_SIM_HOST ?? '127.0.0.1',
  signing: {
    method,
    appKey: env.PROVINCE_APP_KEY ?? 'city-demo',
    secret: env.PROVINCE_APP_SECRET ?? 'demo-province-secret-change-me',
    sm4Key: env.PROVINCE_SM4_KEY || undefined,
  },
  cityInboundUrl: env.PROVINCE_SIM_CITY_URL,
  provinceCode: env.PROVINCE_SIM_PROVINCE_CODE,
  faults: env.PROVINCE_SIM_FAULTS ? (JSON.parse(env.PROVINCE_SIM_FAULTS) as Partial<SimFaults>) : {},
});
const url = await sim.listen();
// The secret is never printed; the app key is not secret.
process.stdout.write(`province simulator listening on ${url} (app key ${sim.signer.appKey}, ${method}${sim.signer.encrypts ? ' + SM4' : ''})\n`);
const stop = () => {
  sim.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
