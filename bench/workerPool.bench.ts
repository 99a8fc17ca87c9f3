import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { createWorkerPool, type WorkerPool } from '../src/workers/createWorkerPool.js';
import type { TaskContext, TaskRecord } from '../src/types.js';

/** Tasks per batch. */
const taskCount = 200;
/** Target duration of one task, in milliseconds. */
const taskMs = 20;
/** Timed rounds; each round runs one batch per mode and the median per mode is reported. */
const repetitions = 3;

/**
 * The CPU-bound task: a deterministic xorshift loop of `config.iterations` steps. Exported so the
 * worker threads load it from this same file.
 *
 * @example
 * ```ts
 * busyLoop({ config: { iterations: 1_000_000 } }); // a number that depends on every step
 * ```
 */
export function busyLoop({ config }: { config: { iterations: number } }): number {
  let state = 0x9e3779b9;
  for (let step = 0; step < config.iterations; step += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
  }
  return state >>> 0;
}

/** Iterations of {@link busyLoop} that take about `ms` on this thread, after a warm-up. */
export function calibrate(ms: number): number {
  let iterations = 100_000;
  busyLoop({ config: { iterations } });
  for (;;) {
    const started = performance.now();
    busyLoop({ config: { iterations } });
    const elapsed = performance.now() - started;
    if (elapsed >= 100) return Math.round((iterations * ms) / elapsed);
    iterations *= 2;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function contextFor(index: number, iterations: number): TaskContext<{ iterations: number }> {
  // The pool reads only id, name and type from the record.
  const task = { id: `busy-${index}`, name: `busy-${index}`, type: 'bench' } as TaskRecord;
  return { task, config: { iterations }, attempt: 1, signal: new AbortController().signal, spawn: () => [] };
}

/** A batch of {@link taskCount} tasks run one way. */
interface Mode {
  readonly label: string;
  readonly threads: string;
  runBatch(): Promise<unknown>;
}

function runOnPool(pool: WorkerPool, tasks: number, iterations: number): Promise<unknown[]> {
  const work = pool.task(fileURLToPath(import.meta.url), 'busyLoop');
  return Promise.all(Array.from({ length: tasks }, (_, index) => work(contextFor(index, iterations))));
}

function poolMode(pool: WorkerPool, threads: number, iterations: number): Mode {
  return { label: 'worker pool', threads: String(threads), runBatch: () => runOnPool(pool, taskCount, iterations) };
}

/**
 * Times every mode once per round, rounds interleaved, so a change in machine load during the
 * run affects all modes alike; returns the median per mode.
 */
async function medianTimes(modes: readonly Mode[]): Promise<number[]> {
  const times = modes.map((): number[] => []);
  for (let round = 0; round < repetitions; round += 1) {
    for (const [index, mode] of modes.entries()) {
      const started = performance.now();
      await mode.runBatch();
      times[index]?.push(performance.now() - started);
    }
  }
  return times.map(median);
}

/**
 * Measures the worker pool on {@link taskCount} CPU-bound tasks of about {@link taskMs} ms:
 * inline on the main thread, on one worker thread, and on `os.availableParallelism()` threads,
 * and prints the median wall time of each with the speedup over one thread.
 *
 * @example
 * ```ts
 * import { run } from './workerPool.bench.js';
 * await run();
 * ```
 */
export async function run(): Promise<void> {
  const iterations = calibrate(taskMs);
  const parallelism = availableParallelism();
  const threadCounts = parallelism > 1 ? [1, parallelism] : [1];
  const pools = threadCounts.map((threads) => createWorkerPool({ maxThreads: threads }));
  try {
    const inline: Mode = {
      label: 'inline (main thread)',
      threads: '-',
      runBatch: async () => {
        for (let index = 0; index < taskCount; index += 1) busyLoop(contextFor(index, iterations));
      },
    };
    const modes = [inline, ...pools.map((pool, index) => poolMode(pool, threadCounts[index] ?? 1, iterations))];
    // Start every thread and load the task module in it before timing.
    await Promise.all(pools.map((pool, index) => runOnPool(pool, (threadCounts[index] ?? 1) * 2, iterations)));
    printTable(iterations, modes, await medianTimes(modes));
  } finally {
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}

function printTable(iterations: number, modes: readonly Mode[], medians: readonly number[]): void {
  const oneThreadMs = medians[1] ?? Number.NaN;
  console.log(`workerPool: ${taskCount} tasks × ~${taskMs} ms (${iterations} iterations each), median of ${repetitions} interleaved rounds`);
  console.log(`${'mode'.padEnd(22)}${'threads'.padStart(8)}${'median ms'.padStart(11)}${'tasks/s'.padStart(9)}${'vs 1 thread'.padStart(13)}`);
  for (const [index, mode] of modes.entries()) {
    const ms = medians[index] ?? Number.NaN;
    const cells = [mode.threads.padStart(8), ms.toFixed(0).padStart(11), ((taskCount * 1000) / ms).toFixed(1).padStart(9)];
    console.log(`${mode.label.padEnd(22)}${cells.join('')}${`${(oneThreadMs / ms).toFixed(2)}×`.padStart(13)}`);
  }
}

// Run when started directly (`node --import tsx bench/workerPool.bench.ts`), not when imported
// by bench/index.ts or loaded by a worker thread for busyLoop.
if (isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
