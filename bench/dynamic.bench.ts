/**
 * Dynamic work (issue 23): a theorem split into 1,000 obligations at run time (`ctx.spawn` from
 * the splitting task) against the same 1,000 tasks scheduled up front (each depending on the
 * split), and the spawn overhead per child; then the simulator's long-tailed workload with and
 * without `speculate` (makespan p50/p99 over seeds). Run directly with
 * `node --expose-gc --import tsx bench/dynamic.bench.ts`.
 */
import { createScheduler } from '../src/createScheduler.js';
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
  return { upFrontMs, spawnedMs };
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
