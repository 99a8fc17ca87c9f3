/**
 * `npm run bench`: every benchmark, one after another, in this one process.
 * Pass names to run a subset: `npm run bench -- scheduler policies`.
 */
import { run as runDashboard } from './dashboard.bench.js';
import { run as runDistributed } from './distributed.bench.js';
import { run as runEstimates } from './estimates.bench.js';
import { run as runHistory } from './history.bench.js';
import { run as runDynamic } from './dynamic.bench.js';
import { run as runInspection } from './inspection.bench.js';
import { run as runMonitoring } from './monitoring.bench.js';
import { run as runPolicies } from './policies.bench.js';
import { run as runScheduler } from './scheduler.bench.js';
import { run as runStore } from './store.bench.js';
import { run as runWorkerPool } from './workerPool.bench.js';
import { run as runWorkload } from './workload.bench.js';

const benches: Record<string, () => Promise<unknown>> = {
  scheduler: () => runScheduler(),
  store: () => runStore(),
  inspection: () => runInspection(),
  monitoring: () => runMonitoring(),
  workerPool: () => runWorkerPool(),
  policies: () => runPolicies(),
  distributed: () => runDistributed(),
  workload: () => runWorkload(),
  estimates: () => runEstimates(),
  history: () => runHistory(),
  dashboard: () => runDashboard(),
  dynamic: () => runDynamic(),
};

const chosen = process.argv.slice(2);
for (const name of chosen) {
  if (!(name in benches)) {
    console.error(`unknown benchmark "${name}"; expected one of ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
}
console.log(`node ${process.version}, ${(await import('node:os')).availableParallelism()} cores`);
for (const [name, bench] of Object.entries(benches)) {
  if (chosen.length > 0 && !chosen.includes(name)) continue;
  await bench();
}
