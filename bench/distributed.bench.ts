import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { createScheduler } from '../src/core/createScheduler.js';
import { bullmqExecutor, remoteHandlers } from '../src/distributed/index.js';
import { REDIS_SERVER, startRedis } from '../test/distributed/startRedis.js';
import { median } from './median.js';
import { calibrate } from './workerPool.bench.js';

const WORKER = fileURLToPath(new URL('./distributedWorker.ts', import.meta.url));
/** CPU-bound tasks per round, about 20 ms each. */
const cpuTasks = 100;
/** No-op tasks (and raw jobs) per round. */
const noopTasks = 4000;
/** Jobs a worker runs at once in the overhead comparison. */
const concurrency = 8;
/**
 * The coordinator's in-flight window in the overhead comparison, in jobs per worker slot
 * (`maxWorkers` is this times `concurrency`; dispatched attempts hold their slot): Celery's
 * default prefetch multiplier (4), and a deeper one of the kind Celery's optimizing guide
 * advises for many short tasks (it suggests 64 or 128; RabbitMQ's rule is the round trip
 * divided by the time one message takes).
 */
const windows = [4, 16];
/** Issue 24's goals for the coordinator / raw BullMQ ratio, by jobs per worker slot. */
const goals = new Map([[4, 0.8], [16, 0.9]]);
/** Timed rounds of the CPU-task measurements (after one warm-up round); medians are reported. */
const rounds = 3;
/** Timed rounds of the no-op comparison: more, since its runs last about a second and a shared machine's noise shows in each. */
const noopRounds = 5;

let prefixes = 0;
const nextPrefix = (kind: string): string => `${kind}${++prefixes}`;

function startWorker(options: Record<string, unknown>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding('utf8').once('data', (chunk: string) => chunk.includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
  });
}

async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(children.map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGKILL')))));
}

interface Timed {
  readonly seconds: number;
  /** CPU this process (the coordinator or the raw producer) spent, in ms. */
  readonly cpuMs: number;
}

/** CPU spent by the worker process and by redis-server during a run, in ms (worker: undefined where /proc is not). */
interface OtherCpu {
  readonly workerMs: number | undefined;
  readonly redisMs: number;
}

/** A process's CPU time so far from /proc, in ms (10 ms ticks), or undefined off Linux. */
function procCpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** redis-server's CPU time so far (INFO cpu), in ms. */
async function redisCpuMs(url: string): Promise<number> {
  const redis = new Redis(url);
  try {
    const info = await redis.info('cpu');
    const used = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
    return (used('used_cpu_user') + used('used_cpu_sys')) * 1000;
  } finally {
    redis.disconnect();
  }
}

/** Measures `body` (seconds, this process's CPU) and what the worker process and redis-server spent meanwhile. */
async function measured(url: string, worker: ChildProcess, body: () => Promise<void>): Promise<Timed & OtherCpu> {
  const [workerBefore, redisBefore] = [procCpuMs(worker.pid), await redisCpuMs(url)];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await body();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const [workerAfter, redisAfter] = [procCpuMs(worker.pid), await redisCpuMs(url)];
  const workerMs = workerBefore === undefined || workerAfter === undefined ? undefined : workerAfter - workerBefore;
  return { seconds, cpuMs: (used.user + used.system) / 1000, workerMs, redisMs: redisAfter - redisBefore };
}

/** How long the jobs ran on their workers (BullMQ's processedOn to finishedOn), in ms: the median, and the sum. */
async function runTimes(url: string, prefix: string, node: string): Promise<{ medianMs: number; totalMs: number }> {
  const redis = new Redis(url);
  const queue = new Queue(node, { connection: redis, prefix });
  const jobs = await queue.getJobs(['completed'], 0, -1);
  await queue.close();
  redis.disconnect();
  const times = jobs.map((job) => (job.finishedOn as number) - (job.processedOn as number));
  return { medianMs: median(times), totalMs: times.reduce((sum, ms) => sum + ms, 0) };
}

/** A coordinator running `count` tasks of `type` on `workers` fresh worker processes of node `a`. */
async function coordinated(url: string, type: string, count: number, config: unknown, options: { workers: number; workerConcurrency: number; maxWorkers: number; prefetch: number }): Promise<Timed & OtherCpu & { runMs: number; busy: number }> {
  const prefix = nextPrefix(type);
  const children = await Promise.all(Array.from({ length: options.workers }, () => startWorker({ mode: 'xeno', url, node: 'a', concurrency: options.workerConcurrency, prefix })));
  const executor = bullmqExecutor({ connection: url, nodes: ['a'], prefix, prefetch: options.prefetch });
  try {
    await executor.ready();
    // Workers announce themselves at the executor's first check: wait until all are seen.
    while ((executor.nodes()[0]?.workers ?? 0) < options.workers) await new Promise((resolve) => setTimeout(resolve, 20));
    const scheduler = createScheduler({ executor, handlers: remoteHandlers([type]), maxWorkers: options.maxWorkers, defaultRetry: { attempts: 1 }, maxFinishedRecords: count });
    const timed = await measured(url, children[0] as ChildProcess, async () => {
      scheduler.scheduleTasks(Array.from({ length: count }, () => ({ type, config })));
      await scheduler.onIdle();
    });
    const failed = scheduler.getStats().failed;
    await scheduler.stop();
    if (failed > 0) throw new Error(`${failed} tasks failed`);
    const { medianMs, totalMs } = await runTimes(url, prefix, 'a');
    // The share of the run's wall time the worker slots spent running jobs: 1 means none idled.
    const busy = totalMs / (timed.seconds * 1000 * options.workers * options.workerConcurrency);
    return { ...timed, runMs: medianMs, busy };
  } finally {
    await executor.close();
    await stopAll(children);
  }
}

/**
 * Raw BullMQ: a producer adding `count` no-op jobs (with a priority) in bulk, one worker of the
 * same concurrency, until the last completes. With a `window`, the producer keeps at most that
 * many jobs unfinished, adding one bulk per read of completions, as a coordinator with that many
 * attempts in flight does: what bounding the jobs in Redis costs BullMQ itself.
 */
async function raw(url: string, count: number, window = count): Promise<Timed & OtherCpu> {
  const prefix = nextPrefix('raw');
  const children = [await startWorker({ mode: 'raw', url, node: 'raw', concurrency, prefix })];
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const eventsRedis = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue('raw', { connection: redis, prefix });
  const events = new QueueEvents('raw', { connection: eventsRedis, prefix });
  try {
    await events.waitUntilReady();
    let added = 0;
    let freed = 0;
    let isRefillScheduled = false;
    const add = (n: number): Promise<unknown> => {
      const from = added;
      added += n;
      return queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'noop', data: { i: from + i }, opts: { priority: 3 } })));
    };
    const refill = (): void => {
      isRefillScheduled = false;
      const n = Math.min(freed, count - added);
      freed = 0;
      if (n > 0) void add(n);
    };
    let done = 0;
    const finished = new Promise<void>((resolve) =>
      events.on('completed', () => {
        if (++done === count) resolve();
        freed++;
        if (window < count && !isRefillScheduled) (isRefillScheduled = true), setImmediate(refill);
      }),
    );
    return await measured(url, children[0] as ChildProcess, async () => {
      while (added < Math.min(window, count)) await add(Math.min(500, Math.min(window, count) - added));
      await finished;
    });
  } finally {
    await events.close();
    await queue.close();
    eventsRedis.disconnect();
    redis.disconnect();
    await stopAll(children);
  }
}

/** The scheduler alone on the same tasks, no Redis (inline no-op work): the coordinator's CPU floor. */
async function inline(count: number): Promise<Timed> {
  const scheduler = createScheduler({ maxWorkers: 4 * concurrency, defaultRetry: { attempts: 1 }, maxFinishedRecords: count });
  const cpu = process.cpuUsage();
  const started = performance.now();
  scheduler.scheduleTasks(Array.from({ length: count }, () => ({ type: 'noop', run: () => null })));
  await scheduler.onIdle();
  const used = process.cpuUsage(cpu);
  await scheduler.stop();
  return { seconds: (performance.now() - started) / 1000, cpuMs: (used.user + used.system) / 1000 };
}

/** The machine's ceiling: `count` busy loops on `processes` bare processes (no Redis), in seconds. */
async function bare(processes: number, count: number, iterations: number): Promise<number> {
  const children = await Promise.all(Array.from({ length: processes }, () => startWorker({ mode: 'bare' })));
  try {
    const started = performance.now();
    await Promise.all(
      children.map((child) => {
        const done = new Promise((resolve) => child.stdout?.once('data', resolve));
        child.stdin?.write(`${count / processes} ${iterations}\n`);
        return done;
      }),
    );
    return (performance.now() - started) / 1000;
  } finally {
    await stopAll(children);
  }
}

/**
 * Distributed runs on a redis-server of its own, each measurement once to warm up and then
 * `rounds` times interleaved, medians reported: ~20 ms CPU-bound tasks on one worker process and
 * on two (the speed-up, beside what two bare processes get from this machine at the same time),
 * and the coordinator's no-op throughput through Redis against raw BullMQ's (a producer adding the
 * same number of jobs, one worker of the same concurrency) at each of `windows`, with the CPU
 * per task of every process of the run (the machine's 2 cores are shared by all three).
 */
/** CPU of all three processes of a run (measuring process, worker, redis-server) per task, in ms; undefined without the worker's. */
function cpuSum(run: Timed & OtherCpu): number | undefined {
  return run.workerMs === undefined ? undefined : (run.cpuMs + run.workerMs + run.redisMs) / noopTasks;
}

/**
 * The no-op comparison's ratios by jobs per slot: `wall`, raw BullMQ's time over the
 * coordinator's; `cpu`, the CPU all three processes spent per task, raw BullMQ's over the
 * coordinator run's (undefined off Linux). On a loaded machine the processes queue for the same
 * cores, and the wall ratio follows the CPU one.
 */
export async function run(): Promise<Map<number, { wall: number; cpu: number | undefined }> | undefined> {
  if (REDIS_SERVER === undefined) {
    console.log('\ndistributed: skipped (redis-server not found)');
    return undefined;
  }
  const redis = await startRedis();
  const iterations = calibrate(20);
  try {
    console.log(`\ndistributed (BullMQ on a local redis-server; 1 warm-up round, then medians of ${rounds} rounds, ${noopRounds} for the no-op comparison)`);
    const cpu = (workers: number, count = cpuTasks) => coordinated(redis.url, 'busy', count, { iterations }, { workers, workerConcurrency: 1, maxWorkers: 4, prefetch: 2 });
    const noop = (perSlot: number, count = noopTasks) => coordinated(redis.url, 'noop', count, {}, { workers: 1, workerConcurrency: concurrency, maxWorkers: perSlot * concurrency, prefetch: perSlot });
    await cpu(1, 20);
    await cpu(2, 20);
    await bare(2, 20, iterations);
    await raw(redis.url, 1000);
    await noop(windows[0] as number, 1000);
    await inline(1000);
    const one: number[] = [], two: number[] = [], runOne: number[] = [], runTwo: number[] = [], bareOne: number[] = [], bareTwo: number[] = [];
    const speedups: number[] = [], bareSpeedups: number[] = [], busyOne: number[] = [], busyTwo: number[] = [];
    const raws: (Timed & OtherCpu)[] = [], inlineCpu: number[] = [];
    const byWindow = new Map(windows.map((perSlot) => [perSlot, { windowed: [] as (Timed & OtherCpu)[], coordinator: [] as (Timed & OtherCpu)[], ratios: [] as number[], windowedRatios: [] as number[], cpuRatios: [] as number[] }]));
    for (let round = 0; round < rounds; round++) {
      const a = await cpu(1);
      const b = await cpu(2);
      one.push(a.seconds), two.push(b.seconds), runOne.push(a.runMs), runTwo.push(b.runMs), speedups.push(a.seconds / b.seconds);
      busyOne.push(a.busy), busyTwo.push(b.busy);
      bareOne.push(await bare(1, cpuTasks, iterations));
      bareTwo.push(await bare(2, cpuTasks, iterations));
      bareSpeedups.push((bareOne.at(-1) as number) / (bareTwo.at(-1) as number));
    }
    for (let round = 0; round < noopRounds; round++) {
      const r = await raw(redis.url, noopTasks);
      raws.push(r);
      for (const [perSlot, runs] of byWindow) {
        const w = await raw(redis.url, noopTasks, perSlot * concurrency);
        const x = await noop(perSlot);
        runs.windowed.push(w), runs.coordinator.push(x), runs.ratios.push(r.seconds / x.seconds), runs.windowedRatios.push(w.seconds / x.seconds);
        const [rawCpu, ourCpu] = [cpuSum(r), cpuSum(x)];
        if (rawCpu !== undefined && ourCpu !== undefined) runs.cpuRatios.push(rawCpu / ourCpu);
      }
      inlineCpu.push((await inline(noopTasks)).cpuMs / noopTasks);
    }
    const list = (values: readonly number[], digits = 2): string => values.map((value) => value.toFixed(digits)).join(' / ');
    const rate = (runs: readonly Timed[]): string => `${Math.round(median(runs.map((run) => noopTasks / run.seconds)))}/s`;
    // CPU per task of the measuring process (producer or coordinator) / the worker process / redis-server, medians in ms.
    const cpuOf = (runs: readonly (Timed & OtherCpu)[]): string => {
      const perTask = (pick: (run: Timed & OtherCpu) => number | undefined): string => {
        const values = runs.map(pick).filter((value): value is number => value !== undefined);
        return values.length === 0 ? 'n/a' : (median(values) / noopTasks).toFixed(3);
      };
      return `${perTask((run) => run.cpuMs)} / ${perTask((run) => run.workerMs)} / ${perTask((run) => run.redisMs)} ms`;
    };
    const t1 = median(one), t2 = median(two);
    console.log(
      `  ${cpuTasks} CPU tasks of ~20 ms: 1 worker process ${t1.toFixed(2)} s, 2 processes ${t2.toFixed(2)} s: ${(t1 / t2).toFixed(2)}x (target >= 1.8x on 2 cores); ` +
        `each job ran ${median(runOne).toFixed(0)} ms on 1 process, ${median(runTwo).toFixed(0)} ms on 2; ` +
        `2 bare processes, no Redis, on this machine now: ${(median(bareOne) / median(bareTwo)).toFixed(2)}x`,
    );
    console.log(`    rounds: 1 process ${list(one)} s, 2 processes ${list(two)} s; speed-up ${list(speedups)}x, bare processes in the same rounds ${list(bareSpeedups)}x`);
    console.log(`    worker slots busy (1 = never idle between jobs): 1 process ${list(busyOne)}, 2 processes ${list(busyTwo)}`);
    console.log(
      `  ${noopTasks} no-op tasks, one worker process of concurrency ${concurrency}, round_robin; CPU per task is producer or coordinator / worker process / redis-server. ` +
        `Raw BullMQ (all jobs added at once) ${rate(raws)}, CPU ${cpuOf(raws)}; the same scheduler with inline no-op work and no Redis: CPU ${(median(inlineCpu)).toFixed(3)} ms`,
    );
    for (const [perSlot, runs] of byWindow) {
      const window = perSlot * concurrency;
      console.log(
        `    ${perSlot} jobs per worker slot (coordinator maxWorkers ${window} and prefetch ${perSlot}; raw BullMQ keeping at most ${window} jobs unfinished): ` +
          `coordinator ${rate(runs.coordinator)}, ${median(runs.ratios).toFixed(2)} of raw BullMQ (rounds ${list(runs.ratios)}; goal >= ${goals.get(perSlot) ?? '-'}), ` +
          `by CPU of all three processes ${runs.cpuRatios.length === 0 ? 'n/a' : median(runs.cpuRatios).toFixed(2)}, ` +
          `${median(runs.windowedRatios).toFixed(2)} of windowed raw BullMQ ${rate(runs.windowed)} (rounds ${list(runs.windowedRatios)}); ` +
          `CPU coordinator ${cpuOf(runs.coordinator)}, windowed raw ${cpuOf(runs.windowed)}`,
      );
    }
    return new Map([...byWindow].map(([perSlot, runs]) => [perSlot, { wall: median(runs.ratios), cpu: runs.cpuRatios.length === 0 ? undefined : median(runs.cpuRatios) }]));
  } finally {
    await redis.stop();
  }
}

