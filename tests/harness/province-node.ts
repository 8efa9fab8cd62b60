/**
 * One backend node's province dispatcher as its own process, for chaos tests that kill it
 * with SIGKILL mid-batch. Env: PROVINCE_NODE_DB (PostgreSQL URL), PROVINCE_SIM_URL,
 * PROVINCE_NODE_NAME, PROVINCE_NODE_OPTS (JSON DispatcherOptions), PROVINCE_NODE_TIMEOUT_MS.
 */
import { openDatabase } from '../../src/server/db/database.js';
import { ProvinceClient } from '../../src/server/modules/province/province-client.js';
import { ProvinceDispatcher } from '../../src/server/modules/province/dispatcher.js';
import { RequestSigner } from '../../src/server/modules/province/signing.js';
import { quietLog, testSigning } from './province.js';

const env = process.env;
const { db } = await openDatabase({ databaseUrl: env.PROVINCE_NODE_DB, dataDir: '.', inMemory: false, poolSize: 4 });
const client = new ProvinceClient({ baseUrl: env.PROVINCE_SIM_URL!, signer: new RequestSigner(testSigning), timeoutMs: Number(env.PROVINCE_NODE_TIMEOUT_MS ?? 1000) });
const d = new ProvinceDispatcher(db, client, { node: env.PROVINCE_NODE_NAME!, ...(JSON.parse(env.PROVINCE_NODE_OPTS ?? '{}') as object) }, quietLog);
d.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void d.stop().then(() => db.destroy()).then(() => process.exit(0));
});
