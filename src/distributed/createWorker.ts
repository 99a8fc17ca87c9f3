import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { TaskRun } from '../types.js';
import { reviveError } from '../workers/serializeError.js';
import type { ToTaskRunOptions } from '../workers/runDescriptor.js';
import type { AttemptJobData, WorkerAnnouncement } from './AttemptJob.js';
import { announceWorker, readLiveWorkers } from './announceWorker.js';
import { InvalidOptionsError } from '../errors.js';
import { closeWithin } from './closeWithin.js';
import { connectRedis } from './connectRedis.js';
import { parseCancelMessage } from './parseCancelMessage.js';
import { JobAbort } from './JobAbort.js';
import { redisKeys } from './redisKeys.js';
import { runAttemptJob, type JobRunner } from './runAttemptJob.js';
import { UnknownNodeError } from './UnknownNodeError.js';

/** Options of {@link createWorker}. */
export interface CreateWorkerOptions {
  /** A Redis URL, the coordinator's. */
  readonly connection: string;
  /** The node this worker serves (one of the coordinator's). */
  readonly node: string;
  /** Work functions by task type. @default {} */
  readonly handlers?: Readonly<Record<string, TaskRun<any>>>;
  /** Run command and module tasks too, with these options (`{}` for the defaults). @default undefined: not */
  readonly descriptors?: ToTaskRunOptions;
  /** Jobs run at once. @default 1 */
  readonly concurrency?: number;
  /** What this worker offers, announced to the coordinator (for `resource_aware`). @default {} */
  readonly resources?: Readonly<Record<string, number>>;
  /**
   * How long a job's lock lasts without renewal, in ms: a worker killed mid-job is noticed (its
   * job counted as interrupted and run elsewhere) about this long after it died.
   * @default 30000
   */
  readonly lockDurationMs?: number;
  /** Prefix of every Redis key, as the coordinator's. @default 'xeno' */
  readonly prefix?: string;
}

/** A running worker. */
export interface DistributedWorker {
  readonly id: string;
  readonly node: string;
  /** Jobs running now. */
  readonly running: number;
  /**
   * Stops taking jobs, lets the running ones finish for `graceMs`, aborts the rest (their
   * outcome is a failure, so their tasks retry elsewhere), and closes every connection.
   */
  close(graceMs?: number): Promise<void>;
}

/** How long a cancel for a job this worker has not started yet is remembered, in ms. */
const EARLY_CANCEL_MS = 60_000;

/**
 * Starts a worker process's side of a distributed run: it takes jobs from its node's queue, runs
 * them with `handlers` (or as commands and modules), and reports each outcome as data. It holds
 * no scheduling state. A cancel broadcast by the coordinator aborts the handler's signal (and a
 * command's process group).
 *
 * Every worker of a node must run the same task types (handlers, and commands and modules or
 * not): BullMQ routes jobs by queue only, one queue per node, so any worker of the node takes any
 * of its jobs. A worker whose handlers differ from a live worker's of its node is refused.
 *
 * @throws RedisUnreachableError when Redis cannot be reached; InvalidOptionsError (`options.handlers`)
 * when a live worker of the node runs other task types; UnknownNodeError when a
 * coordinator runs and `node` is not one of its nodes (with no coordinator running, the worker
 * starts, and warns if the next coordinator has no such node)
 * @example
 * const worker = await createWorker({ connection: 'redis://10.0.0.5:6379', node: 'gpu', concurrency: 4, handlers: { proof: prove } });
 * process.once('SIGTERM', () => void worker.close());
 */
export async function createWorker(options: CreateWorkerOptions): Promise<DistributedWorker> {
  const { connection, node, handlers = {}, concurrency = 1, resources = {}, lockDurationMs = 30_000, prefix = 'xeno' } = options;
  const keys = redisKeys(prefix);
  const redis = await connectRedis(connection);
  const own: Redis[] = [redis];
  const fail = (error: Error): never => {
    for (const client of own) client.disconnect();
    throw error;
  };
  const nodes = await redis.smembers(keys.nodes);
  if (nodes.length > 0 && !nodes.includes(node)) fail(new UnknownNodeError(node, nodes.sort()));
  const runsDescriptors = options.descriptors !== undefined;
  const peer = (await readLiveWorkers(redis, keys)).find((other) => other.node === node);
  if (peer !== undefined && !canRunTheSame(peer, Object.keys(handlers), runsDescriptors)) {
    fail(
      new InvalidOptionsError(
        `options.handlers: expected what node "${node}"'s live worker ${peer.id} runs (${describeWork(peer.types, peer.runsDescriptors)}), received ${describeWork(Object.keys(handlers), runsDescriptors)}: any worker of a node takes any of its jobs, so they all need the same handlers; start this one for another node`,
        'options.handlers',
      ),
    );
  }
  const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const runner: JobRunner = { workerId: id, node, handlers, descriptors: options.descriptors, made: new Map() };
  const running = new Map<string, JobAbort>();
  const early = new Map<string, { reason: Error; at: number }>();
  let hasWarned = false;
  const warnOnce = (warning: string): void => {
    if (!hasWarned) process.emitWarning(warning);
    hasWarned = true;
  };

  const subscriber = redis.duplicate();
  own.push(subscriber);
  subscriber.on('error', () => undefined);
  await subscriber.subscribe(keys.cancel);
  subscriber.on('message', (_channel, text) => {
    const message = parseCancelMessage(text);
    if (message === undefined) {
      warnOnce(`worker ${id} ignored a message on the cancel channel that is not a cancel: ${JSON.stringify(text.slice(0, 200))}`);
      return;
    }
    const reason = reviveError(message.reason);
    const abort = running.get(message.jobId);
    if (abort !== undefined) abort.abort(reason);
    else early.set(message.jobId, { reason, at: Date.now() });
    for (const [jobId, { at }] of early) if (at < Date.now() - EARLY_CANCEL_MS) early.delete(jobId);
  });

  const workerRedis = await connectRedis(connection);
  own.push(workerRedis);
  const worker = new Worker(
    node,
    async (job) => {
      const jobId = job.id as string;
      const abort = new JobAbort();
      running.set(jobId, abort);
      const cancelled = early.get(jobId);
      if (cancelled !== undefined) abort.abort(cancelled.reason);
      try {
        return await runAttemptJob(runner, job.data as AttemptJobData, abort);
      } finally {
        running.delete(jobId);
      }
    },
    // The coordinator checks for stalled jobs; a stalled one is failed, never run again silently.
    { connection: workerRedis, prefix, concurrency, lockDuration: lockDurationMs, skipStalledCheck: true, maxStalledCount: 0 },
  );
  worker.on('error', () => undefined);
  const announcement: WorkerAnnouncement = {
    id,
    node,
    concurrency,
    resources,
    types: Object.keys(handlers),
    runsDescriptors,
    host: hostname(),
    pid: process.pid,
  };
  // A worker that started while no coordinator ran is checked against the next one's nodes.
  let refusedBy = '';
  const checkNodes = (nodes: string[]): void => {
    const listed = nodes.sort().join(', ');
    if (nodes.length === 0 || nodes.includes(node) || listed === refusedBy) return;
    refusedBy = listed;
    process.emitWarning(`worker ${id}: ${new UnknownNodeError(node, nodes).message}; it takes no job until a coordinator with node "${node}" runs`);
  };
  const announced = await announceWorker(redis, keys, announcement, lockDurationMs, checkNodes);

  return {
    id,
    node,
    get running() {
      return running.size;
    },
    async close(graceMs = 10_000) {
      await announced.stop().catch(() => undefined);
      const closing = worker.close();
      await closeWithin(closing, graceMs);
      const stopped = new Error(`worker ${id} on node "${node}" stopped`);
      for (const abort of running.values()) abort.abort(stopped);
      await closeWithin(closing, 2000);
      for (const client of own) client.disconnect();
    },
  };
}

/** Both run the same task types: handlers by name, and descriptors or not. */
function canRunTheSame(peer: WorkerAnnouncement, types: readonly string[], runsDescriptors: boolean): boolean {
  return peer.runsDescriptors === runsDescriptors && [...peer.types].sort().join('\n') === [...types].sort().join('\n');
}

function describeWork(types: readonly string[], runsDescriptors: boolean): string {
  const handlers = types.length === 0 ? 'no handlers' : `handlers ${[...types].sort().join(', ')}`;
  return `${handlers}; ${runsDescriptors ? 'commands and modules' : 'no commands or modules'}`;
}
