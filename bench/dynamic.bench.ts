/**
 * Dynamic work (issue 23): a theorem split into 1,000 obligations at run time (`ctx.spawn` from
 * the splitting task) against the same 1,000 tasks scheduled up front (each depending on the
 * split), and the spawn overhead per child; then the simulator's long-tailed workload with and
 * without `speculate` (makespan p50/p99 over seeds). Run directly with
 * `node --expose-gc --import tsx bench/dynamic.bench.ts`.
 */
import { createScheduler } from '../src/core/createScheduler.js';
import { simulate } from '../src/simulate/simulate.js';
import type { WorkloadFileTask } from '../src/simulate/types.js';
import type { TaskSpec } from '../src/types.js';
import { median } from './median.js';

const OBLIGATIONS = 1000;
const ROUNDS = 7;
const options = { maxWorkers: 4, maxFinishedRecords: 5000, defaultRetry: { attempts: 1 }, resources: { cpu: 4 } };
const obligation = (i: number, dependencies: readonly string[] = []): TaskSpec => ({ id: `o${i}`, dependencies, run: async () => i });

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function upFront(): Promise<number> {
  gc();
  const scheduler = createScheduler(options);
  const start = performance.now();
  scheduler.scheduleTasks([{ id: 'split', run: async () => OBLIGATIONS }, ...Array.from({ length: OBLIGATIONS }, (_, i) => obligation(i, ['split']))]);
  await scheduler.onIdle();
  const ms = performance.now() - start;
  await scheduler.stop();
  return ms;
}

async function spawned(): Promise<number> {
  gc();
  const scheduler = createScheduler(options);
  const start = performance.now();
  scheduler.scheduleTask({ id: 'split', run: (ctx) => ctx.spawn(Array.from({ length: OBLIGATIONS }, (_, i) => obligation(i))).length });
  await scheduler.onIdle();
  const ms = performance.now() - start;
  if (scheduler.getTaskStatus('split') !== 'completed') throw new Error('the split did not complete');
  await scheduler.stop();
  return ms;
}

const SEEDS = 200;

/** The p-th percentile (nearest rank) of some values. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** 40 idempotent obligations on 8 workers, prover times exponential (mean = estimate = 1 s). */
async function longTail(): Promise<void> {
  const tasks: Record<string, WorkloadFileTask> = {};
  for (let i = 0; i < 40; i++) tasks[`goal-${i}`] = { estimate: 1, duration: { distribution: 'exponential', mean: 1 }, idempotent: true };
  console.log(`
long-tailed simulated workload: 40 idempotent tasks, exponential durations (mean 1 s), 8 workers, ${SEEDS} seeds`);
  for (const speculate of [undefined, 1, 2, 3]) {
    const makespans: number[] = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      makespans.push((await simulate({ tasks, maxWorkers: 8 }, { seed, ...(speculate === undefined ? {} : { speculate }) })).metrics.makespanMs);
    }
    const label = speculate === undefined ? 'without speculate    ' : `speculate ${speculate}× estimate`;
    console.log(`  ${label}: makespan p50 ${(percentile(makespans, 50) / 1000).toFixed(2)} s, p99 ${(percentile(makespans, 99) / 1000).toFixed(2)} s`);
  }
}

export async function run(): Promise<{ upFrontMs: number; spawnedMs: number }> {
  // One of each first, not measured: module loading and JIT warm-up.
  await upFront();
  await spawned();
  const up: number[] = [];
  const sp: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    up.push(await upFront());
    sp.push(await spawned());
  }
  const upFrontMs = median(up);
  const spawnedMs = median(sp);
  console.log(`\ndynamic work: one task split into ${OBLIGATIONS} obligations (median of ${ROUNDS})`);
  console.log(`  scheduled up front (each depends on the split): ${upFrontMs.toFixed(1)} ms`);
  console.log(`  spawned by the split (ctx.spawn):               ${spawnedMs.toFixed(1)} ms`);
  console.log(`  spawn overhead per child: ${(((spawnedMs - upFrontMs) * 1000) / OBLIGATIONS).toFixed(1)} µs (ratio ${(spawnedMs / upFrontMs).toFixed(2)})`);
  await longTail();
  return { upFrontMs, spawnedMs };
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
