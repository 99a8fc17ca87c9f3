/**
 * Throughput of the scheduler against p-queue and against the floor of an actor-per-task design
 * (the same task machine created and run with no scheduler around it), in one process.
 *
 * Workload: N no-op async tasks with five mixed priorities, maxWorkers 4. Run directly with
 * `node --expose-gc --import tsx bench/scheduler.bench.ts [N...]`.
 */
import PQueue from 'p-queue';
import { createActor, createMachine } from 'xstate';
import { taskMachine } from '../machines/taskMachine.js';
import { createScheduler } from '../src/createScheduler.js';
import type { TaskPriority } from '../src/types.js';

const WORKERS = 4;
const noop = async (): Promise<void> => {};
const priorityOf = (i: number): TaskPriority => ((i % 5) + 1) as TaskPriority;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * The floor: the same task machine, created and run N times, four at a time, no scheduler (and
 * so no deadlines: the scheduler arms the attempt timeout itself).
 */
async function runFloor(n: number): Promise<number> {
  const input = { id: 't', maxAttempts: 1, timeoutMs: 300_000, backoffMs: 0, backoffFactor: 1, maxBackoffMs: 0 };
  const start = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const actor = createActor(taskMachine, { input: { ...input, id: `t${i}` } });
      actor.start();
      actor.send({ type: 'task.ready' });
      actor.send({ type: 'task.start' });
      await noop();
      actor.send({ type: 'task.succeed', attempt: 1, result: undefined });
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, lane));
  return performance.now() - start;
}

/** The minimal five-state machine of XSTATE-NOTES: created, started, two events to a final state. */
const minimalMachine = createMachine({
  initial: 'pending',
  states: {
    pending: { on: { start: 'running', cancel: 'cancelled' } },
    running: { on: { succeed: 'completed', fail: 'failed', cancel: 'cancelled' } },
    completed: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

/** N lifecycles of the minimal machine, four at a time, with an await per task as the others have. */
async function runMinimal(n: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      next++;
      const actor = createActor(minimalMachine).start();
      actor.send({ type: 'start' });
      await noop();
      actor.send({ type: 'succeed' });
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, lane));
  return performance.now() - start;
}

async function runScheduler(n: number): Promise<{ ms: number; heapPerPendingTask: number; heapAfter: number }> {
  const base = heapUsed();
  const scheduler = createScheduler({ maxWorkers: WORKERS, maxFinishedRecords: 1000, defaultRetry: { attempts: 1 } });
  const specs = Array.from({ length: n }, (_, i) => ({ run: noop, priority: priorityOf(i) }));
  const specsHeap = heapUsed() - base;
  const start = performance.now();
  scheduler.scheduleTasks(specs);
  // Nothing runs before scheduleTasks returns, so every task is a live pending actor here.
  const pendingHeap = heapUsed() - base - specsHeap;
  await scheduler.onIdle();
  const ms = performance.now() - start;
  await scheduler.stop();
  return { ms, heapPerPendingTask: pendingHeap / n, heapAfter: heapUsed() - base };
}

async function runPQueue(n: number): Promise<number> {
  const queue = new PQueue({ concurrency: WORKERS });
  const start = performance.now();
  for (let i = 0; i < n; i++) void queue.add(noop, { priority: priorityOf(i) });
  await queue.onIdle();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const rate = (n: number, ms: number): number => Math.round((n / ms) * 1000);

/** The sizes to run: XENO_BENCH_SIZES (e.g. `10000,300000,1000000`), else 10k, 100k and 300k. */
function benchSizes(): number[] {
  const given = (process.env['XENO_BENCH_SIZES'] ?? '').split(',').map(Number).filter((n) => n > 0);
  return given.length > 0 ? given : [10_000, 100_000, 300_000];
}

/** Runs the comparison for each N and prints a table; returns the scheduler's throughput over p-queue's, by N. */
export async function run(sizes: number[] = benchSizes()): Promise<Map<number, number>> {
  console.log(`\n## Scheduler throughput (no-op tasks, 5 priorities, maxWorkers ${WORKERS}); medians of repeated rounds`);
  const rows: string[] = [];
  const perTask: Record<number, number> = {};
  const overPQueue = new Map<number, number>();
  for (const n of sizes) {
    const rounds = n >= 1_000_000 ? 1 : n >= 100_000 ? 3 : 5;
    const floor: number[] = [];
    const sched: number[] = [];
    const pq: number[] = [];
    const minimal: number[] = [];
    const heap: number[] = [];
    const after: number[] = [];
    // A warm-up of every contender, so that none of them pays for the JIT in a timed round.
    const warm = Math.min(n, 5000);
    await runFloor(warm), await runScheduler(warm), await runPQueue(warm), await runMinimal(warm);
    for (let r = 0; r < rounds; r++) {
      floor.push(await runFloor(n));
      const s = await runScheduler(n);
      sched.push(s.ms);
      heap.push(s.heapPerPendingTask);
      after.push(s.heapAfter);
      pq.push(await runPQueue(n));
      minimal.push(await runMinimal(n));
    }
    const f = median(floor);
    const s = median(sched);
    const p = median(pq);
    perTask[n] = s / n;
    overPQueue.set(n, p / s);
    rows.push(
      `| ${n.toLocaleString('en')} | ${rate(n, s)} | ${rate(n, f)} | ${rate(n, median(minimal))} | ${rate(n, p)} | ${(f / s).toFixed(2)} | ${(median(minimal) / s).toFixed(2)} | ${(p / s).toFixed(2)} | ${(median(heap) / 1024).toFixed(2)} | ${(median(after) / 1024 / 1024).toFixed(1)} |`,
    );
  }
  console.log('| N | scheduler tasks/s | bare task machine tasks/s | minimal 5-state machine lifecycles/s | p-queue tasks/s | scheduler / bare task machine | scheduler / minimal machine | scheduler / p-queue | heap per pending task (KiB) | heap after run, over baseline (MiB) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  const first = sizes[0] as number;
  const last = sizes[sizes.length - 1] as number;
  console.log(`per-task time at ${last.toLocaleString('en')} / at ${first.toLocaleString('en')}: ${((perTask[last] as number) / (perTask[first] as number)).toFixed(2)}x`);
  return overPQueue;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  await run(sizes.length > 0 ? sizes : undefined);
}
