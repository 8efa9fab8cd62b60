/**
 * `npm run bench`: every benchmark, printing numbers. Select sections with
 * `npm run bench -- accounts`. Targets live here, not in timed unit tests.
 */
import os from 'node:os';
import { apiReadBench, argon2Bench } from './accounts/api-read.bench.js';
import { acdBench } from './acd/decision.bench.js';
import { provinceBench } from './province/gateway.bench.js';
import { printResults, type BenchResult } from './report.js';
import { screenPopBench } from './screen-pop/screen-pop.bench.js';
import { softphoneBench } from './softphone/call-setup.bench.js';
import { ticketsBench } from './tickets/tickets.bench.js';
import { trunkBench } from './trunk/trunk.bench.js';
import { monitorSetupBench } from './supervisor/monitor-setup.bench.js';
import { wallboardFanoutBench } from './supervisor/wallboard-fanout.bench.js';

const sections: Record<string, () => Promise<BenchResult[]>> = {
  accounts: async () => [...(await argon2Bench()), ...(await apiReadBench())],
  softphone: softphoneBench,
  acd: acdBench,
  province: provinceBench,
  wallboard: wallboardFanoutBench,
  monitoring: monitorSetupBench,
  'screen-pop': screenPopBench,
  tickets: ticketsBench,
  trunk: trunkBench,
};

const wanted = process.argv.slice(2);
process.stdout.write(`Hotline Desk benchmarks — node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}\n`);
for (const [name, run] of Object.entries(sections)) {
  if (wanted.length && !wanted.includes(name)) continue;
  printResults(name, await run());
}
