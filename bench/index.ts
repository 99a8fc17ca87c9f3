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

/** Issue 24's figures, filled in by the benches that measure them (each a median of interleaved rounds). */
const table = new Map<string, { today: string; goal: string; now?: number; cpu?: number }>([
  ['ours / p-queue at 10k', { today: '0.11', goal: '0.35' }],
  ['ours / p-queue at 100k', { today: '0.32', goal: '0.8' }],
  ['ours / p-queue at 300k', { today: '0.83', goal: '1.5' }],
  ['SQLite store / no store, 50k tasks', { today: '0.46', goal: '0.85' }],
  ['coordinator / raw BullMQ, 4 jobs per slot', { today: '0.60', goal: '0.8' }],
  ['coordinator / raw BullMQ, 16 jobs per slot', { today: '0.73', goal: '0.9' }],
]);
const fill = (row: string, now: number | undefined, cpu?: number): void => {
  const entry = table.get(row);
  if (entry === undefined || now === undefined) return;
  entry.now = now;
  if (cpu !== undefined) entry.cpu = cpu;
};

const benches: Record<string, () => Promise<unknown>> = {
  scheduler: async () => {
    const ratios = await runScheduler();
    for (const [n, ratio] of ratios) fill(`ours / p-queue at ${n / 1000}k`, ratio.wall, ratio.cpu);
  },
  store: async () => {
    const ratio = await runStore();
    fill('SQLite store / no store, 50k tasks', ratio.wall, ratio.cpu);
  },
  inspection: () => runInspection(),
  monitoring: () => runMonitoring(),
  workerPool: () => runWorkerPool(),
  policies: () => runPolicies(),
  distributed: async () => {
    for (const [perSlot, ratio] of (await runDistributed()) ?? []) fill(`coordinator / raw BullMQ, ${perSlot} jobs per slot`, ratio.wall, ratio.cpu);
  },
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
const os = await import('node:os');
const load = (): string => os.loadavg().map((value) => value.toFixed(1)).join(' ');
console.log(`node ${process.version}, ${os.availableParallelism()} cores, load average ${load()}`);
for (const [name, bench] of Object.entries(benches)) {
  if (chosen.length > 0 && !chosen.includes(name)) continue;
  await bench();
}
const measured = [...table].filter(([, entry]) => entry.now !== undefined);
if (measured.length > 0) {
  console.log(`\n## Issue 24's table (load average at the end ${load()})`);
  console.log('| | issue\'s today | goal | now | now, by CPU time |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [row, entry] of measured) console.log(`| ${row} | ${entry.today} | ≥ ${entry.goal} | ${(entry.now as number).toFixed(2)} | ${entry.cpu === undefined ? '–' : entry.cpu.toFixed(2)} |`);
}
