import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { createScheduler } from '../src/createScheduler.js';
import { bullmqExecutor, remoteHandlers } from '../src/executors/bullmq/index.js';
import { REDIS_SERVER, startRedis } from '../test/distributed/startRedis.js';
import { busyLoop } from './workerPool.bench.js';

const WORKER = fileURLToPath(new URL('./distributedWorker.ts', import.meta.url));
/** CPU-bound tasks per round, about 20 ms each. */
const cpuTasks = 100;
/** No-op tasks (and raw jobs) per round. */
const noopTasks = 4000;
/** Jobs a worker runs at once in the overhead comparison. */
const concurrency = 8;

function startWorker(options: Record<string, unknown>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => chunk.includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
  });
}

async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(children.map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGKILL')))));
}

/** Seconds a coordinator takes to run `count` tasks of `type` on workers of node `a`. */
async function coordinated(url: string, prefix: string, type: string, count: number, config: unknown, maxWorkers: number, prefetch = 2): Promise<number> {
  const executor = bullmqExecutor({ connection: url, nodes: ['a'], prefix, prefetch });
  await executor.ready();
  // The first announcement comes with the first check: wait for the workers to be seen.
  while (!executor.nodes()[0]?.isUp) await new Promise((resolve) => setTimeout(resolve, 20));
  const scheduler = createScheduler({ executor, handlers: remoteHandlers([type]), maxWorkers, defaultRetry: { attempts: 1 }, maxFinishedRecords: count });
  const started = performance.now();
  scheduler.scheduleTasks(Array.from({ length: count }, () => ({ type, config })));
  await scheduler.onIdle();
  const seconds = (performance.now() - started) / 1000;
  const failed = scheduler.getStats().failed;
  await scheduler.stop();
  await executor.close();
  if (failed > 0) throw new Error(`${failed} tasks failed`);
  return seconds;
}

/** Seconds raw BullMQ takes: a producer adding `count` no-op jobs (with priorities) and waiting for the last. */
async function raw(url: string, prefix: string, count: number): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue('raw', { connection: redis, prefix });
  const events = new QueueEvents('raw', { connection: new Redis(url, { maxRetriesPerRequest: null }), prefix });
  await events.waitUntilReady();
  let done = 0;
  const finished = new Promise<void>((resolve) => events.on('completed', () => ++done === count && resolve()));
  const started = performance.now();
  for (let from = 0; from < count; from += 500) {
    await queue.addBulk(Array.from({ length: Math.min(500, count - from) }, (_, i) => ({ name: 'noop', data: { i: from + i }, opts: { priority: 3 } })));
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await events.close();
  await queue.close();
  (events.opts.connection as Redis).disconnect();
  redis.disconnect();
  return seconds;
}

/**
 * Distributed runs on a redis-server of its own: ~20 ms CPU-bound tasks on one worker process
 * and on two (the speed-up), and the coordinator's no-op throughput through Redis against raw
 * BullMQ's (a producer and a worker of the same concurrency), in the same run.
 */
export async function run(): Promise<void> {
  if (REDIS_SERVER === undefined) {
    console.log('\ndistributed: skipped (redis-server not found)');
    return;
  }
  const redis = await startRedis();
  const iterations = calibrateIterations(20);
  try {
    console.log('\ndistributed (BullMQ on a local redis-server)');
    const one = [await startWorker({ mode: 'xeno', url: redis.url, node: 'a', concurrency: 1, prefix: 'cpu1' })];
    const t1 = await coordinated(redis.url, 'cpu1', 'busy', cpuTasks, { iterations }, 4);
    await stopAll(one);
    const two = await Promise.all([1, 2].map(() => startWorker({ mode: 'xeno', url: redis.url, node: 'a', concurrency: 1, prefix: 'cpu2' })));
    const t2 = await coordinated(redis.url, 'cpu2', 'busy', cpuTasks, { iterations }, 4);
    await stopAll(two);
    console.log(`  ${cpuTasks} CPU tasks of ~20 ms: 1 worker process ${t1.toFixed(2)} s, 2 processes ${t2.toFixed(2)} s: ${(t1 / t2).toFixed(2)}x (target >= 1.8x on 2 cores)`);

    const rawWorker = [await startWorker({ mode: 'raw', url: redis.url, node: 'raw', concurrency, prefix: 'raw' })];
    const rawSeconds = await raw(redis.url, 'raw', noopTasks);
    await stopAll(rawWorker);
    const xenoWorker = [await startWorker({ mode: 'xeno', url: redis.url, node: 'a', concurrency, prefix: 'noop' })];
    const xenoSeconds = await coordinated(redis.url, 'noop', 'noop', noopTasks, {}, 4 * concurrency, 4);
    await stopAll(xenoWorker);
    const rawRate = noopTasks / rawSeconds;
    const xenoRate = noopTasks / xenoSeconds;
    console.log(
      `  ${noopTasks} no-op tasks, worker concurrency ${concurrency} (coordinator: maxWorkers ${4 * concurrency}, prefetch 4): raw BullMQ ${Math.round(rawRate)}/s, coordinator ${Math.round(xenoRate)}/s: ${(xenoRate / rawRate).toFixed(2)} of raw (target >= 0.7)`,
    );
  } finally {
    await redis.stop();
  }
}

function calibrateIterations(ms: number): number {
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
