/**
 * Dynamic work (issue 23): a theorem split into 1,000 obligations at run time (`ctx.spawn` from
 * the splitting task) against the same 1,000 tasks scheduled up front (each depending on the
 * split), and the spawn overhead per child; then the simulator's long-tailed workload with and
 * without `speculate` (makespan p50/p99 over seeds), and the same workload in a LIVE scheduler
 * (createScheduler's `speculate`, on xstate's SimulatedClock: real dispatch, real backup copies,
 * simulated time). Run directly with
 * `node --expose-gc --import tsx bench/dynamic.bench.ts`.
 */
import { SimulatedClock } from 'xstate';
import { createScheduler } from '../src/core/createScheduler.js';
import { createRandom } from '../src/simulate/createRandom.js';
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

const LIVE_SEEDS = 100;
const LIVE_STEP_MS = 10;

/**
 * One live run of the long-tailed workload: 40 idempotent tasks (estimate 1 s) whose every copy
 * (an attempt or its backup) takes an independent exponential draw (mean 1 s) of simulated time,
 * on 8 workers. Returns the makespan (ms of the simulated clock) and the backups started and won.
 */
async function liveLongTail(seed: number, speculate: number | undefined): Promise<{ makespanMs: number; backups: number; won: number }> {
  const clock = new SimulatedClock();
  const random = createRandom(seed);
  const scheduler = createScheduler({ clock, maxWorkers: 8, defaultRetry: { attempts: 1 }, ...(speculate === undefined ? {} : { speculate }) });
  const draw = (): number => -Math.log(1 - random()) * 1000;
  let ended = 0;
  let makespanMs = 0;
  let backups = 0;
  let won = 0;
  scheduler.events.on('task:completed', () => {
    ended++;
    makespanMs = clock.now();
  });
  scheduler.events.on('task:backup', ({ backup }) => {
    if (backup.outcome === 'running') backups++;
    if (backup.outcome === 'won') won++;
  });
  const run = (ctx: { signal: AbortSignal }): Promise<void> =>
    new Promise((resolve) => {
      const timer = clock.setTimeout(resolve, draw());
      ctx.signal.addEventListener('abort', () => {
        clock.clearTimeout(timer);
        resolve();
      });
    });
  scheduler.scheduleTasks(Array.from({ length: 40 }, (_, i) => ({ id: `goal-${i}`, estimateMs: 1000, idempotent: true, run })));
  while (ended < 40) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    clock.increment(LIVE_STEP_MS);
  }
  await scheduler.stop();
  return { makespanMs, backups, won };
}

/** The live long-tailed run over seeds, without and with speculate. */
async function liveLongTails(): Promise<void> {
  console.log(`
live scheduler (createScheduler, SimulatedClock, ${LIVE_STEP_MS} ms steps): the same 40 tasks, each copy an independent exponential draw, 8 workers, ${LIVE_SEEDS} seeds`);
  let baseline: { p50: number; p99: number } | undefined;
  for (const speculate of [undefined, 1, 2, 3]) {
    const makespans: number[] = [];
    let backups = 0;
    let won = 0;
    for (let seed = 0; seed < LIVE_SEEDS; seed++) {
      const result = await liveLongTail(seed, speculate);
      makespans.push(result.makespanMs);
      backups += result.backups;
      won += result.won;
    }
    const p50 = percentile(makespans, 50);
    const p99 = percentile(makespans, 99);
    baseline ??= { p50, p99 };
    const label = speculate === undefined ? 'without speculate    ' : `speculate ${speculate}× estimate`;
    const ratios = speculate === undefined ? '' : ` (p50 ×${(p50 / baseline.p50).toFixed(2)}, p99 ×${(p99 / baseline.p99).toFixed(2)}); backups per run ${(backups / LIVE_SEEDS).toFixed(1)}, won ${(won / LIVE_SEEDS).toFixed(1)}`;
    console.log(`  ${label}: makespan p50 ${(p50 / 1000).toFixed(2)} s, p99 ${(p99 / 1000).toFixed(2)} s${ratios}`);
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
  await liveLongTails();
  return { upFrontMs, spawnedMs };
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
