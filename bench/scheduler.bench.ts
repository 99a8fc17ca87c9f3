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
import { createScheduler } from '../src/core/createScheduler.js';
import type { TaskPriority } from '../src/types.js';

const WORKERS = 4;
const noop = async (): Promise<void> => {};
const priorityOf = (i: number): TaskPriority => ((i % 5) + 1) as TaskPriority;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Wall time and this process's CPU time of a run, in ms. */
interface Spent {
  readonly ms: number;
  readonly cpuMs: number;
}

/** Runs `body`, returning what it spent (minus what `body` reports as not its own, e.g. a heap measurement). */
async function spent(body: () => Promise<Spent | void>): Promise<Spent> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const excluded = await body();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms: ms - (excluded?.ms ?? 0), cpuMs: (used.user + used.system) / 1000 - (excluded?.cpuMs ?? 0) };
}

function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * The floor: the same task machine, created and run N times, four at a time, no scheduler (and
 * so no deadlines: the scheduler arms the attempt timeout itself).
 */
async function runFloor(n: number): Promise<Spent> {
  const input = { id: 't', maxAttempts: 1, timeoutMs: 300_000, backoffMs: 0, backoffFactor: 1, maxBackoffMs: 0 };
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
  return spent(async () => void (await Promise.all(Array.from({ length: WORKERS }, lane))));
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
async function runMinimal(n: number): Promise<Spent> {
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
  return spent(async () => void (await Promise.all(Array.from({ length: WORKERS }, lane))));
}

async function runScheduler(n: number): Promise<Spent & { heapPerPendingTask: number; heapAfter: number }> {
  const base = heapUsed();
  const scheduler = createScheduler({ maxWorkers: WORKERS, maxFinishedRecords: 1000, defaultRetry: { attempts: 1 } });
  const specs = Array.from({ length: n }, (_, i) => ({ run: noop, priority: priorityOf(i) }));
  const specsHeap = heapUsed() - base;
  let pendingHeap = 0;
  const timed = await spent(async () => {
    scheduler.scheduleTasks(specs);
    // Nothing runs before scheduleTasks returns, so every task is a pending task here. The
    // full collection this measurement forces is not the scheduler's time: it is taken out.
    const measuring = await spent(async () => void (pendingHeap = heapUsed() - base - specsHeap));
    await scheduler.onIdle();
    return measuring;
  });
  await scheduler.stop();
  return { ...timed, heapPerPendingTask: pendingHeap / n, heapAfter: heapUsed() - base };
}

function runPQueue(n: number): Promise<Spent> {
  const queue = new PQueue({ concurrency: WORKERS });
  return spent(async () => {
    for (let i = 0; i < n; i++) void queue.add(noop, { priority: priorityOf(i) });
    await queue.onIdle();
  });
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

/** What the scheduler bench returns for each N: the scheduler's throughput over p-queue's, by wall time and by CPU time. */
export interface OverPQueue {
  readonly wall: number;
  readonly cpu: number;
}

/**
 * Runs the comparison for each N and prints a table (wall time), then the CPU each spent per task:
 * on a shared machine the wall-time rounds carry the other processes' load, the CPU far less.
 */
export async function run(sizes: number[] = benchSizes()): Promise<Map<number, OverPQueue>> {
  console.log(`\n## Scheduler throughput (no-op tasks, 5 priorities, maxWorkers ${WORKERS}); medians of repeated rounds`);
  const rows: string[] = [];
  const cpuRows: string[] = [];
  const perTask: Record<number, number> = {};
  const perTaskCpu: Record<number, number> = {};
  const overPQueue = new Map<number, OverPQueue>();
  for (const n of sizes) {
    const rounds = n >= 1_000_000 ? 1 : n >= 100_000 ? 3 : 5;
    const floor: Spent[] = [];
    const sched: Spent[] = [];
    const pq: Spent[] = [];
    const minimal: Spent[] = [];
    const heap: number[] = [];
    const after: number[] = [];
    // A warm-up of every contender, so that none of them pays for the JIT in a timed round.
    const warm = Math.min(n, 5000);
    await runFloor(warm), await runScheduler(warm), await runPQueue(warm), await runMinimal(warm);
    for (let r = 0; r < rounds; r++) {
      floor.push(await runFloor(n));
      const s = await runScheduler(n);
      sched.push(s);
      heap.push(s.heapPerPendingTask);
      after.push(s.heapAfter);
      pq.push(await runPQueue(n));
      minimal.push(await runMinimal(n));
    }
    const wall = (runs: Spent[]): number => median(runs.map((run) => run.ms));
    const cpu = (runs: Spent[]): number => median(runs.map((run) => run.cpuMs));
    const [f, s, p, m] = [wall(floor), wall(sched), wall(pq), wall(minimal)];
    const [fc, sc, pc, mc] = [cpu(floor), cpu(sched), cpu(pq), cpu(minimal)];
    perTask[n] = s / n;
    perTaskCpu[n] = sc / n;
    overPQueue.set(n, { wall: p / s, cpu: pc / sc });
    rows.push(
      `| ${n.toLocaleString('en')} | ${rate(n, s)} | ${rate(n, f)} | ${rate(n, m)} | ${rate(n, p)} | ${(f / s).toFixed(2)} | ${(m / s).toFixed(2)} | ${(p / s).toFixed(2)} | ${(median(heap) / 1024).toFixed(2)} | ${(median(after) / 1024 / 1024).toFixed(1)} |`,
    );
    const us = (ms: number): string => ((ms * 1000) / n).toFixed(1);
    cpuRows.push(`| ${n.toLocaleString('en')} | ${us(sc)} | ${us(fc)} | ${us(mc)} | ${us(pc)} | ${(mc / fc).toFixed(2)} | ${(pc / sc).toFixed(2)} |`);
  }
  console.log('| N | scheduler tasks/s | bare task machine tasks/s | minimal 5-state machine lifecycles/s | p-queue tasks/s | scheduler / bare task machine | scheduler / minimal machine | scheduler / p-queue | heap per pending task (KiB) | heap after run, over baseline (MiB) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log('\nCPU time per task (µs, medians of the same rounds)');
  console.log('| N | scheduler | bare task machine | minimal machine | p-queue | bare task machine / minimal machine (throughput) | scheduler / p-queue (throughput) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of cpuRows) console.log(row);
  const first = sizes[0] as number;
  const last = sizes[sizes.length - 1] as number;
  const growth = (of: Record<number, number>): string => ((of[last] as number) / (of[first] as number)).toFixed(2);
  console.log(`per-task time at ${last.toLocaleString('en')} / at ${first.toLocaleString('en')}: ${growth(perTask)}x wall, ${growth(perTaskCpu)}x CPU`);
  return overPQueue;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  await run(sizes.length > 0 ? sizes : undefined);
}
