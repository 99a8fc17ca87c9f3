import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { createWorkerPool } from '../src/executors/createWorkerPool.js';
import type { TaskContext, TaskRecord } from '../src/types.js';

/** Tasks per batch. */
const taskCount = 200;
/** Target duration of one task, in milliseconds. */
const taskMs = 20;
/** Timed batches per mode; the median is reported. */
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
function calibrate(ms: number): number {
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

async function timeBatches(runBatch: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < repetitions; round += 1) {
    const started = performance.now();
    await runBatch();
    times.push(performance.now() - started);
  }
  return median(times);
}

function contextFor(index: number, iterations: number): TaskContext<{ iterations: number }> {
  // The pool reads only id, name and type from the record.
  const task = { id: `busy-${index}`, name: `busy-${index}`, type: 'bench' } as TaskRecord;
  return { task, config: { iterations }, attempt: 1, signal: new AbortController().signal };
}

async function timePool(threads: number, iterations: number): Promise<number> {
  const pool = createWorkerPool({ maxThreads: threads });
  const work = pool.task(fileURLToPath(import.meta.url), 'busyLoop');
  const batch = (size: number) => Promise.all(Array.from({ length: size }, (_, index) => work(contextFor(index, iterations))));
  try {
    // Start every thread and load the module in it before timing.
    await batch(threads * 2);
    return await timeBatches(() => batch(taskCount));
  } finally {
    await pool.destroy();
  }
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
  const inlineMs = await timeBatches(async () => {
    for (let index = 0; index < taskCount; index += 1) busyLoop(contextFor(index, iterations));
  });
  const oneThreadMs = await timePool(1, iterations);
  const rows: [string, string, number][] = [
    ['inline (main thread)', '-', inlineMs],
    ['worker pool', '1', oneThreadMs],
  ];
  if (parallelism > 1) rows.push(['worker pool', String(parallelism), await timePool(parallelism, iterations)]);

  console.log(
    `workerPool: ${taskCount} tasks × ~${taskMs} ms (${iterations} iterations each), median of ${repetitions} batches`,
  );
  console.log(`${'mode'.padEnd(22)}${'threads'.padStart(8)}${'median ms'.padStart(11)}${'tasks/s'.padStart(9)}${'vs 1 thread'.padStart(13)}`);
  for (const [mode, threads, ms] of rows) {
    const speedup = `${(oneThreadMs / ms).toFixed(2)}×`;
    const rate = ((taskCount * 1000) / ms).toFixed(1);
    console.log(`${mode.padEnd(22)}${threads.padStart(8)}${ms.toFixed(0).padStart(11)}${rate.padStart(9)}${speedup.padStart(13)}`);
  }
}

// Run when started directly (`node --import tsx bench/workerPool.bench.ts`), not when imported
// by bench/index.ts or loaded by a worker thread for busyLoop.
if (isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
