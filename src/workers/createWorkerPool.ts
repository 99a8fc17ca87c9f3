import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { threadEntry } from './threadEntry.js';
import type { TaskContext, TaskRun } from '../types.js';
import { resolveModuleUrl } from './loadExport.js';
import { ModuleFailedError } from './ModuleFailedError.js';
import { reviveError } from './serializeError.js';
import { createSpawnHost } from './spawnChannel.js';
import type { WorkerReply, WorkerRequest } from './workerEntry.js';

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /**
   * Most worker threads alive at once.
   * @default os.availableParallelism()
   */
  maxThreads?: number;
  /**
   * Milliseconds an idle thread lives before it is ended (threads start again on demand).
   * @default 30000
   */
  idleTimeoutMs?: number;
  /**
   * Milliseconds `close()` waits for queued and running tasks before it terminates the threads.
   * @default 5000
   */
  terminateGraceMs?: number;
}

/** Summary of one duration histogram, in milliseconds. */
export interface DurationSummary {
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** What a dashboard shows about a pool at a moment. */
export interface WorkerPoolStats {
  /** Worker threads alive now. */
  readonly threads: number;
  readonly maxThreads: number;
  /** Tasks waiting for a free thread. */
  readonly queued: number;
  /** Tasks executing on a thread. */
  readonly running: number;
  /** Tasks that resolved. */
  readonly succeeded: number;
  /** Tasks whose function threw or rejected. */
  readonly failed: number;
  /** Tasks stopped by their signal; each cost its thread. */
  readonly aborted: number;
  /** Share of the pool's thread time spent running tasks since it started, 0 to 1. */
  readonly utilization: number;
  /** Time tasks spent on a thread. */
  readonly runTimeMs: DurationSummary;
  /** Time tasks waited in the queue for a thread. */
  readonly waitTimeMs: DurationSummary;
}

/** Options of {@link WorkerPool.task}. */
export interface WorkerTaskOptions {
  /**
   * Keep up to this many bytes of what the export prints to stdout and stderr, each, instead of
   * letting the thread write them to the process's: the task then resolves with
   * `{ value, stdout, stderr, truncated }` and fails with a ModuleFailedError carrying the output.
   * @default undefined (output is written as usual)
   */
  captureOutputBytes?: number;
}

/** A pool of worker threads that runs task modules off the main thread. */
export interface WorkerPool {
  /**
   * A work function that runs `exportName` of `modulePath` in a worker thread. The export is
   * called with `{ config, attempt, task: { id, name, type }, spawn }` and its
   * (structured-cloneable) result becomes the task's result. `spawn(specs)` is the task's
   * `ctx.spawn`: the specs (data; a function such as `run` is refused, naming its field) go to
   * the scheduler on the main thread, and the call blocks the worker thread until the children's
   * ids (or the refusal, a TaskSchedulingError) come back. When `ctx.signal` aborts, the thread
   * is terminated and the promise rejects with the signal's reason.
   */
  task(modulePath: string, exportName?: string, options?: WorkerTaskOptions): TaskRun<any>;
  /** Worker threads alive now. */
  readonly threads: number;
  stats(): WorkerPoolStats;
  /**
   * Refuses new tasks, lets queued and running ones finish for up to `terminateGraceMs`, then
   * ends all threads (tasks still unfinished reject).
   */
  close(): Promise<void>;
  /** Refuses new tasks and ends all threads now; queued and running tasks reject. */
  destroy(): Promise<void>;
}

/** A job for a thread before its spawn channel is opened (one per attempt, in {@link createWorkerPool}'s runOnThread). */
type ThreadJob = Omit<WorkerRequest, 'spawn'>;

/**
 * Creates a pool of worker threads (piscina) for CPU-bound task functions, so a long
 * computation neither blocks the scheduler's event loop nor outlives its task: aborting the
 * task's signal terminates the thread running it.
 *
 * Task modules may be `.js`, `.mjs` or `.ts` (TypeScript is loaded through tsx inside the
 * worker). Their export receives a plain payload, not the `AbortSignal`.
 *
 * @example
 * ```ts
 * const pool = createWorkerPool({ maxThreads: 4 });
 * const scheduler = createScheduler();
 * scheduler.scheduleTask({ config: { depth: 3 }, run: pool.task('./tasks/prove.ts', 'prove') });
 * await scheduler.onIdle();
 * await pool.close();
 * ```
 */
export function createWorkerPool(options: WorkerPoolOptions = {}): WorkerPool {
  const { maxThreads = availableParallelism(), idleTimeoutMs = 30_000, terminateGraceMs = 5_000 } = options;
  assertCount('maxThreads', maxThreads, 1);
  assertCount('idleTimeoutMs', idleTimeoutMs, 0);
  assertCount('terminateGraceMs', terminateGraceMs, 0);

  const piscina = new Piscina<WorkerRequest, WorkerReply>({
    ...threadEntry(import.meta.url, 'workerEntry'),
    minThreads: 0,
    maxThreads,
    idleTimeout: idleTimeoutMs,
  });
  // Piscina reports a crash of an idle thread as an 'error' event, which without a listener would
  // be thrown; the thread is replaced on demand, so there is nothing more to do.
  piscina.on('error', () => {});
  const counts = { succeeded: 0, failed: 0, aborted: 0 };
  const spawnHost = createSpawnHost();
  const inFlight = new Set<Promise<unknown>>();
  let isClosed = false;

  function track(request: ThreadJob, ctx: Pick<TaskContext, 'signal' | 'reportUsage' | 'spawn'>): Promise<unknown> {
    if (isClosed) {
      const { exportName, moduleUrl } = request;
      return Promise.reject(new Error(`worker pool is closed; cannot run export "${exportName}" of ${moduleUrl}`));
    }
    const outcome = runOnThread(request, ctx);
    inFlight.add(outcome);
    const forget = (): void => {
      inFlight.delete(outcome);
    };
    outcome.then(forget, forget);
    return outcome;
  }

  async function close(): Promise<void> {
    isClosed = true;
    const graceOver = new AbortController();
    await Promise.race([
      Promise.allSettled(inFlight),
      delay(terminateGraceMs, undefined, { signal: graceOver.signal }).catch(() => {}),
    ]);
    graceOver.abort();
    spawnHost.close();
    await piscina.destroy();
  }

  async function runOnThread(request: ThreadJob, { signal, reportUsage: onUsage, spawn }: Pick<TaskContext, 'signal' | 'reportUsage' | 'spawn'>): Promise<unknown> {
    signal.throwIfAborted();
    const spawner = spawnHost.open(spawn);
    // Registered before piscina's own abort listener, so it sees the threads before one is removed.
    let threadsAtAbort: readonly Worker[] = [];
    const onAbort = (): void => {
      threadsAtAbort = piscina.threads;
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const { output, usage, ...reply } = await piscina.run({ ...request, spawn: spawner.channel }, { signal });
      if (usage !== undefined) onUsage?.({ peakRssBytes: usage.heapBytes, cpuMs: Math.round(usage.activeMs), measuredBy: 'thread' });
      if (reply.ok) {
        counts.succeeded += 1;
        return output === undefined ? reply.value : { value: reply.value, ...output };
      }
      throw output === undefined ? reviveError(reply.error) : new ModuleFailedError(reviveError(reply.error), output);
    } catch (error) {
      if (!signal.aborted) {
        counts.failed += 1;
        throw asError(error, request);
      }
      counts.aborted += 1;
      // Piscina rejects as soon as it asks the thread to terminate; the task has only stopped
      // once that thread has exited.
      const terminated = threadsAtAbort.filter((thread) => !piscina.threads.includes(thread));
      await waitForExit(terminated, terminateGraceMs);
      throw signal.reason;
    } finally {
      signal.removeEventListener('abort', onAbort);
      spawner.close();
    }
  }

  return {
    task(modulePath, exportName = 'default', { captureOutputBytes } = {}) {
      const moduleUrl = resolveModuleUrl(modulePath);
      const capture = captureOutputBytes === undefined ? {} : { captureOutputBytes };
      return (ctx: TaskContext) => {
        const { config, attempt, task } = ctx;
        return track({ moduleUrl, exportName, payload: { config, attempt, task: { id: task.id, name: task.name, type: task.type } }, ...capture }, ctx);
      };
    },
    get threads() {
      return piscina.threads.length;
    },
    stats() {
      const queued = piscina.queueSize;
      const histogram = piscina.histogram;
      return {
        threads: piscina.threads.length,
        maxThreads,
        queued,
        running: Math.max(0, inFlight.size - queued),
        succeeded: counts.succeeded,
        failed: counts.failed,
        aborted: counts.aborted,
        utilization: piscina.utilization,
        runTimeMs: summarize(histogram.runTime),
        waitTimeMs: summarize(histogram.waitTime),
      };
    },
    close,
    destroy: () => {
      isClosed = true;
      spawnHost.close();
      return piscina.destroy();
    },
  };
}

/**
 * Errors from the task itself arrive revived. Anything else comes from piscina or the thread; a
 * non-Error there is what is left of a DataCloneError after crossing threads (Node 20), and an
 * Error with no message whose stack starts `DataCloneError:` is what Node 24 leaves of it.
 */
function asError(thrown: unknown, { moduleUrl, exportName }: ThreadJob): Error {
  const cloneFailure = thrown instanceof Error && thrown.message === '' && thrown.stack?.startsWith('DataCloneError:') === true;
  if (thrown instanceof Error && !cloneFailure) return thrown;
  const what = cloneFailure ? (thrown.stack?.split('\n')[0] ?? '') : inspect(thrown);
  return new Error(
    `export "${exportName}" of ${moduleUrl}: the worker thread failed without an Error (${what}); ` +
      'most often its result could not be structured-cloned, e.g. it holds a function',
    cloneFailure ? { cause: thrown } : undefined,
  );
}

/** Resolves when every thread has exited, or after `timeoutMs` at the latest. */
async function waitForExit(threads: readonly Worker[], timeoutMs: number): Promise<void> {
  const running = threads.filter((thread) => thread.threadId !== -1);
  if (running.length === 0) return;
  const timeout = new AbortController();
  await Promise.race([
    Promise.allSettled(running.map((thread) => once(thread, 'exit', { signal: timeout.signal }))),
    delay(timeoutMs, undefined, { ref: false, signal: timeout.signal }).catch(() => {}),
  ]);
  timeout.abort();
}

function summarize(summary: { mean: number; p50: number; p99: number; max: number }): DurationSummary {
  const { mean, p50, p99, max } = summary;
  return { mean: finiteOrZero(mean), p50: finiteOrZero(p50), p99: finiteOrZero(p99), max: finiteOrZero(max) };
}

function finiteOrZero(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

function assertCount(field: keyof WorkerPoolOptions, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`createWorkerPool: options.${field}: expected an integer >= ${min}, found ${String(value)}`);
  }
}
