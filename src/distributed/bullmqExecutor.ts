import type { Redis } from 'ioredis';
import { AttemptInterruptedError, TaskCancelledError } from '../errors.js';
import type { Attempt, Executor, OutcomeSink } from '../core/Executor.js';
import { serializeError } from '../workers/serializeError.js';
import { toJobId, type CancelMessage } from './AttemptJob.js';
import { AttemptBook, type Tracked } from './AttemptBook.js';
import { readLiveWorkers } from './announceWorker.js';
import { explainAttempt } from './explainAttempt.js';
import { findAdoptedJob, type Adoption } from './findAdoptedJob.js';
import { findLeftoverBackups, type LeftoverBackup } from './findLeftoverBackups.js';
import { connectRedis } from './connectRedis.js';
import { redactUrl } from './redactUrl.js';
import type { DistributedOptions } from './DistributedOptions.js';
import type { DistributedExecutor } from './DistributedExecutor.js';
import { NodeBoard, type NodeStatus } from './NodeBoard.js';
import { NodeEventReader, type NodeEvent } from './NodeEventReader.js';
import { NodeQueue, type FinishedRetention } from './NodeQueue.js';
import { announcePlacements, placeWaiting } from './placeWaiting.js';
import { nodesTtlMs, redisKeys, type RedisKeys } from './redisKeys.js';
import { resolveDistributedOptions, type ResolvedDistributedOptions } from './resolveDistributedOptions.js';
import { toJobData } from './toJobData.js';
import { toOutcome } from './toOutcome.js';
import { watchRedisConnection } from './watchRedisConnection.js';

export type { DistributedExecutor } from './DistributedExecutor.js';

/** How long one blocking read of the event streams waits, in ms (shorter would only cost round trips). */
const READ_BLOCK_MS = 1000;

/** Jobs a check asks Redis about at once (their commands go out together and are answered in order). */
const CHECK_BATCH = 500;

/** Runs `each` for every item, {@link CHECK_BATCH} at a time. */
async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  for (let from = 0; from < items.length; from += CHECK_BATCH) await Promise.all(items.slice(from, from + CHECK_BATCH).map(each));
}

/** The `added` of an attempt whose job needs no add (yet): one settled promise for all of them. */
const NOTHING_TO_ADD: Promise<void> = Promise.resolve();

/** Finished jobs kept in Redis, so that a restarted coordinator can still read their outcome. */
const KEEP: FinishedRetention = { ageMs: 24 * 3600_000, count: 50_000, batch: 10_000 };

/**
 * An {@link Executor} that runs each attempt as a BullMQ job on the queue of a node it picks
 * (round robin, least loaded, or where the task's resources fit), for worker processes started
 * with `xeno-scheduler worker` or `createWorker`. The scheduler using it stays the coordinator:
 * every task machine, the graph, the queue, the pools and retries stay there. An attempt no node
 * can take waits here, and `explainTask` says why. A job whose worker was lost is an interrupted
 * attempt (`WorkerLostError`); with `failover`, jobs waiting on a node whose workers are all gone
 * move to live nodes.
 *
 * @example
 * const executor = bullmqExecutor({ connection: 'redis://127.0.0.1:6379', nodes: ['a', 'b'], loadBalancing: 'least_loaded' });
 * await executor.ready();
 * const scheduler = createScheduler({ executor, handlers: remoteHandlers(['proof']) });
 */
export function bullmqExecutor(options: DistributedOptions): DistributedExecutor {
  return new BullmqExecutor(resolveDistributedOptions(options), options.runId !== undefined);
}

class BullmqExecutor implements DistributedExecutor {
  readonly name = 'bullmq';
  // A job may wait in its node's queue: the attempt is active when a worker takes it (AttemptBook.activate).
  readonly reportsActive = true;
  readonly #o: ResolvedDistributedOptions;
  readonly #board: NodeBoard;
  readonly #book: AttemptBook;
  readonly #keys: RedisKeys;
  readonly #queues = new Map<string, NodeQueue>();
  #redis: Redis | undefined;
  readonly #ready: Promise<void>;
  #openError: string | undefined;
  #reader: NodeEventReader | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** A periodic check is under way. */
  #checking = false;
  #cursor = 0;
  #isPaused = false;
  #isClosed = false;
  #placeScheduled = false;
  readonly #warnings = new Set<(message: string) => void>();
  readonly #warned = new Set<string>();
  readonly #hasOwnRunId: boolean;
  readonly #adoptions: Adoption[] = [];
  /** The searches for adopted attempts' jobs under way or done (the leftover backups are looked for after them). */
  readonly #adopting: Promise<void>[] = [];
  /** A dead coordinator's backup jobs of attempts still running here, by the job id of the attempt they copy. */
  readonly #leftovers = new Map<string, LeftoverBackup[]>();

  constructor(options: ResolvedDistributedOptions, hasOwnRunId: boolean) {
    this.#o = options;
    this.#hasOwnRunId = hasOwnRunId;
    this.#board = new NodeBoard(options.nodes);
    this.#book = new AttemptBook(this.#board, (tracked) => {
      this.#dropLeftoversOf(tracked);
      this.#schedulePlace();
    });
    this.#keys = redisKeys(options.prefix);
    this.#ready = this.#open();
    this.#ready.catch((error: Error) => (this.#openError = error.message));
  }

  get inFlight(): number {
    return this.#book.byJob.size;
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  nodes(): NodeStatus[] {
    return this.#board.status();
  }

  adoptions(): readonly Adoption[] {
    return this.#adoptions;
  }

  onWarning(listener: (message: string) => void): () => void {
    this.#warnings.add(listener);
    return () => this.#warnings.delete(listener);
  }

  async #open(): Promise<void> {
    const redis = await connectRedis(this.#o.connection);
    this.#redis = redis;
    // Meanwhile no job is placed and no outcome arrives: running attempts run into their
    // timeouts, and without a word a dead Redis would look like slow work.
    const url = redactUrl(this.#o.connection);
    watchRedisConnection(
      redis,
      () => this.#isClosed || this.#tell(`lost the connection to Redis at ${url}; reconnecting (placements and outcomes wait; running attempts may time out)`),
      () => this.#tell(`reconnected to Redis at ${url}`),
    );
    const names = this.#board.names;
    await this.#announceNodes();
    for (const node of names) {
      const queue = await NodeQueue.open(node, this.#o.connection, redis, this.#o.prefix, this.#o.checkIntervalMs);
      this.#queues.set(node, queue);
      // A coordinator that died paused would leave its nodes paused for good.
      if (!this.#isPaused) await queue.queue.resume();
    }
    const streams = new Map([...this.#queues].map(([node, queue]) => [node, { key: queue.eventsKey, lastId: queue.lastEventId }]));
    this.#reader = new NodeEventReader({ redis: await connectRedis(this.#o.connection), streams, blockMs: READ_BLOCK_MS, onEvents: (events) => this.#onEvents(events) });
    this.#reader.start();
    if (this.#isClosed) return;
    await this.#check();
    this.#timer = setInterval(() => {
      // Refreshed apart from the check, which may wait on Redis for longer than the list lives.
      void this.#announceNodes().catch(() => undefined);
      this.#checkUnlessChecking();
    }, this.#o.checkIntervalMs);
  }

  /**
   * Writes this coordinator's node list for workers to be checked against, with an expiry: the
   * list of a coordinator that died (kill -9, power loss) lapses and binds no later run.
   */
  async #announceNodes(): Promise<void> {
    const key = this.#keys.nodes;
    await this.#redis?.multi().del(key).sadd(key, ...this.#board.names).pexpire(key, nodesTtlMs(this.#o.checkIntervalMs)).exec();
  }

  #track(attempt: Attempt, report: OutcomeSink, state: Tracked['state']): Tracked {
    const record = attempt.record();
    const tracked: Tracked = {
      attempt,
      report,
      jobId: toJobId(this.#o.runId, attempt.taskId, attempt.attempt),
      record,
      resources: record.resources,
      priority: 6 - record.priority,
      node: undefined,
      state,
      reason: 'not placed yet',
      checkedAt: Date.now(),
      // An adopted attempt's job is in Redis already; a started one's is added when placed.
      added: NOTHING_TO_ADD,
    };
    this.#book.add(tracked);
    return tracked;
  }

  start(attempt: Attempt, report: OutcomeSink): void {
    this.#track(attempt, report, 'unplaced');
    this.#schedulePlace();
  }

  adopt(attempt: Attempt, report: OutcomeSink): void {
    if (!this.#hasOwnRunId) this.#warn('runId', `adopting attempts with a random runId (${this.#o.runId}): their jobs cannot be found, so they count as interrupted; give bullmqExecutor the runId of the run (a SQLite store's runId)`);
    const tracked = this.#track(attempt, report, 'placed');
    // A scheduler adopts all its stored running attempts in one go: the leftover backups are looked
    // for once, after the first adoption's turn (when all were handed over) and their searches.
    if (this.#adopting.length === 0) void this.#ready.then(() => new Promise(setImmediate)).then(() => this.#findLeftovers()).catch(() => undefined);
    this.#adopting.push(this.#ready.then(() => this.#findAdopted(tracked)).catch(() => undefined));
  }

  /**
   * Cancels the backup copies' jobs of this run that a dead coordinator started (backups are not
   * journaled) and that nothing here holds: one whose attempt is no longer running here (it ended
   * while no coordinator ran, or was found gone) at once; one whose attempt still runs when that
   * attempt ends, unless a backup started here took the job over by then (same id, same node:
   * the `duplicated` event), which is then cancelled as this coordinator's own.
   */
  async #findLeftovers(): Promise<void> {
    // Adoption has settled: every adopted attempt whose job is still running is held.
    await Promise.all(this.#adopting);
    for (const leftover of await findLeftoverBackups(this.#queues, this.#o.runId)) {
      if (this.#holdsJob(leftover)) continue;
      if (this.#book.byJob.has(leftover.originalJobId)) {
        const pending = this.#leftovers.get(leftover.originalJobId);
        if (pending === undefined) this.#leftovers.set(leftover.originalJobId, [leftover]);
        else pending.push(leftover);
      } else this.#cancelLeftover(leftover);
    }
  }

  /** An attempt ended: the dead coordinator's backup jobs of it that were left to be taken over are cancelled. */
  #dropLeftoversOf(tracked: Tracked): void {
    const leftovers = this.#leftovers.get(tracked.jobId);
    if (leftovers === undefined) return;
    this.#leftovers.delete(tracked.jobId);
    for (const leftover of leftovers) if (!this.#holdsJob(leftover)) this.#cancelLeftover(leftover);
  }

  /** True while this coordinator holds the job itself: a backup it started took the job over. */
  #holdsJob({ jobId, node }: LeftoverBackup): boolean {
    return this.#book.byJob.get(jobId)?.node === node;
  }

  #cancelLeftover({ node, jobId }: LeftoverBackup): void {
    const reason = new TaskCancelledError(jobId, 'a backup copy a previous coordinator of this run started, which this one does not watch');
    void this.#removeOrCancel(node, jobId, reason).catch(() => undefined);
  }

  /**
   * Takes a waiting job off its node's queue (true), or asks the worker running it to abort it:
   * the cancel is broadcast, and the worker that holds a job of that id aborts its handler.
   */
  async #removeOrCancel(node: string, jobId: string, reason: Error): Promise<boolean> {
    if ((await this.#queues.get(node)?.queue.remove(jobId)) === 1) return true;
    const message: CancelMessage = { jobId, reason: serializeError(reason) };
    await this.#redis?.publish(this.#keys.cancel, JSON.stringify(message));
    return false;
  }

  /** Finds an adopted attempt's job on the nodes; an attempt whose job is nowhere was interrupted. */
  async #findAdopted(tracked: Tracked): Promise<void> {
    const { taskId, attempt } = tracked.attempt;
    const { node, found } = await findAdoptedJob(this.#queues, tracked.jobId);
    this.#adoptions.push({ taskId, attempt, node, found });
    if (node === undefined) {
      this.#book.finish(tracked, { ok: false, error: new AttemptInterruptedError(taskId, attempt) });
      return;
    }
    this.#book.place(tracked, node);
    tracked.attempt.placed(node);
    if (found === 'running') this.#book.activate(tracked);
    await this.#reconcile(tracked);
  }

  abort(taskId: string, attempt: number, reason: Error): void {
    const tracked = this.#book.byTask.get(taskId);
    if (tracked === undefined || tracked.attempt.attempt !== attempt) return;
    this.#book.byTask.delete(taskId);
    if (tracked.state === 'unplaced') {
      this.#book.finish(tracked, { ok: false, error: reason });
      return;
    }
    const node = tracked.node as string;
    void (async () => {
      // Its add must be done first: BullMQ's remove says 1 for a job not there yet, and the add
      // would then put it on the queue to run, cancel lost.
      await tracked.added;
      if (await this.#removeOrCancel(node, tracked.jobId, reason)) this.#book.finish(tracked, { ok: false, error: reason });
    })().catch(() => undefined);
  }

  explain(taskId: string, attempt: number): string | undefined {
    const tracked = this.#book.byTask.get(taskId);
    if (tracked === undefined || tracked.attempt.attempt !== attempt) return undefined;
    const connectingTo = this.#redis === undefined ? redactUrl(this.#o.connection) : undefined;
    return explainAttempt(tracked, { openError: this.#openError, connectingTo, isPaused: this.#isPaused, failover: this.#o.failover, board: this.#board });
  }

  setPaused(paused: boolean): void {
    this.#isPaused = paused;
    for (const { queue } of this.#queues.values()) void (paused ? queue.pause() : queue.resume()).catch(() => undefined);
    if (!paused) this.#schedulePlace();
  }

  onSettled(): Promise<void> {
    return this.#book.onSettled();
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    clearInterval(this.#timer);
    await this.#ready.catch(() => undefined);
    await this.#reader?.close();
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    // A finished coordinator's nodes bind no later run: a worker for another workload's node may start.
    await this.#redis?.del(this.#keys.nodes).catch(() => undefined);
    this.#redis?.disconnect();
  }

  // ---------------------------------------------------------------- placing

  #schedulePlace(): void {
    if (this.#placeScheduled) return;
    this.#placeScheduled = true;
    // Attempts started in one dispatch pass, or freed by one read of the event stream, go out
    // as one addBulk per node: a round trip per job would cost half the throughput.
    setImmediate(() => {
      this.#placeScheduled = false;
      this.#place();
    });
  }

  #place(): void {
    if (this.#isPaused || this.#isClosed || this.#redis === undefined || this.#book.unplaced.length === 0) return;
    const { batches, cursor } = placeWaiting(this.#book, this.#board, this.#o, this.#cursor);
    this.#cursor = cursor;
    for (const [node, jobs] of batches) {
      const added = this.#add(node, jobs);
      for (const tracked of jobs) tracked.added = added;
    }
    // Listeners of task:placed run now, with every add under way: a cancel there waits for its add.
    announcePlacements(this.#book, batches);
  }

  async #add(node: string, jobs: readonly Tracked[]): Promise<void> {
    const queue = this.#queues.get(node)?.queue;
    try {
      await queue?.addBulk(jobs.map((tracked) => ({ name: tracked.attempt.type, data: toJobData(tracked.attempt, tracked.record), opts: { jobId: tracked.jobId, priority: tracked.priority } })));
    } catch (error) {
      // Not on the node after all: first in line again, placed at the next check.
      for (const tracked of jobs) if (this.#book.holds(tracked)) this.#book.unplace(tracked, `could not add its job on node "${node}": ${(error as Error).message}`);
    }
  }

  // ---------------------------------------------------------------- outcomes and checks

  /** What one read of the nodes' event streams said; an event for an attempt no longer held changes nothing. */
  #onEvents(events: readonly NodeEvent[]): void {
    for (const event of events) {
      const tracked = this.#book.byJob.get(event.jobId);
      // Only the node the job was put on speaks for it (a job moved by failover left its old node).
      if (tracked === undefined || tracked.state === 'unplaced' || tracked.node !== event.node) continue;
      const { taskId, attempt } = tracked.attempt;
      if (event.kind === 'active') this.#book.activate(tracked);
      else if (event.kind === 'stalled') this.#lost(tracked);
      else if (event.kind === 'completed') this.#book.finish(tracked, toOutcome({ returnvalue: event.returnvalue }, taskId, attempt, event.node));
      else if (event.kind === 'failed') this.#book.finish(tracked, toOutcome({ failedReason: event.failedReason }, taskId, attempt, event.node));
      // Its add found a job of its id there already (a backup copy a dead coordinator of this runId
      // started: backups are not journaled), maybe finished while no coordinator listened: that
      // job is the attempt's, and what it did is read now, not at the next check of stale jobs.
      else if (event.kind === 'duplicated') void this.#reconcile(tracked).catch(() => undefined);
    }
  }

  /** Its worker was lost: the job is taken off the queue (never run twice) and the attempt was interrupted. */
  #lost(tracked: Tracked): void {
    const node = tracked.node as string;
    void this.#queues.get(node)?.queue.remove(tracked.jobId).catch(() => undefined);
    this.#book.finish(tracked, toOutcome({ failedReason: 'job stalled more than allowable limit' }, tracked.attempt.taskId, tracked.attempt.attempt, node));
  }

  /**
   * Starts a check unless one is still under way: a check waits on Redis, and one stalled (Redis
   * slow, or reconnecting) would otherwise be joined by one more every interval, all of them
   * answered at once when it comes back.
   */
  #checkUnlessChecking(): void {
    if (this.#checking) return;
    this.#checking = true;
    void this.#check()
      .catch(() => undefined)
      .finally(() => {
        this.#checking = false;
      });
  }

  /** Who lives where; jobs waiting on down nodes; outcomes the event stream may have dropped; finished jobs past {@link KEEP}. */
  async #check(): Promise<void> {
    const redis = this.#redis;
    if (redis === undefined || this.#isClosed) return;
    const { strays, mixed } = this.#board.setWorkers(await readLiveWorkers(redis, this.#keys));
    for (const node of mixed) this.#warn(`mixed ${node}`, `the workers of node "${node}" run different task types (started at the same time?): only the types all of them run are placed there; restart the odd ones on another node`);
    for (const stray of strays) {
      this.#warn(stray.id, `worker ${stray.id} (${stray.host}, pid ${stray.pid}) serves node "${stray.node}", which is not one of this coordinator's nodes (${this.#board.names.join(', ')})`);
    }
    // The jobs to move and the jobs to read are asked about together, a bounded number at a
    // time on the one connection: one round trip per batch, not one per job.
    if (this.#o.failover) await inBatches([...this.#book.byJob.values()].filter((tracked) => tracked.state === 'placed' && !this.#board.isUp(tracked.node as string)), (tracked) => this.#moveOffDownNode(tracked));
    const stale = Date.now() - Math.max(2000, 5 * this.#o.checkIntervalMs);
    await inBatches([...this.#book.byJob.values()].filter((tracked) => tracked.state !== 'unplaced' && tracked.checkedAt < stale), (tracked) => this.#reconcile(tracked));
    this.#warnUnplaceable();
    this.#schedulePlace();
    for (const queue of this.#queues.values()) await queue.trimFinished(KEEP);
  }

  /** Takes a job off its down node's queue (if no worker took it meanwhile) and puts the attempt first in line again. */
  async #moveOffDownNode(tracked: Tracked): Promise<void> {
    const node = tracked.node as string;
    await tracked.added;
    const removed = await this.#queues.get(node)?.queue.remove(tracked.jobId);
    if (removed === 1 && this.#book.holds(tracked) && tracked.state === 'placed') this.#book.unplace(tracked, `node "${node}" went down; moving to a live node`);
  }

  /** Says, once per attempt, which attempts no live worker has been able to take for `warnUnplaceableAfterMs`. */
  #warnUnplaceable(): void {
    const bound = Date.now() - this.#o.warnUnplaceableAfterMs;
    for (const tracked of this.#book.unplaced) {
      if (tracked.unplaceableSince === undefined || tracked.unplaceableSince > bound) continue;
      const { taskId, attempt } = tracked.attempt;
      const waited = ((Date.now() - tracked.unplaceableSince) / 1000).toFixed(1);
      this.#warn(`unplaceable ${tracked.jobId}`, `task "${taskId}" (attempt ${attempt}) has waited ${waited} s for a node: ${tracked.reason}`);
    }
  }

  /** Reads a job's state from Redis and delivers an outcome the event stream did not. */
  async #reconcile(tracked: Tracked): Promise<void> {
    tracked.checkedAt = Date.now();
    const node = tracked.node;
    const job = node === undefined ? undefined : await this.#queues.get(node)?.queue.getJob(tracked.jobId);
    if (node === undefined || tracked.state === 'unplaced' || !this.#book.holds(tracked)) return;
    if (job === undefined) {
      this.#book.finish(tracked, { ok: false, error: new AttemptInterruptedError(tracked.attempt.taskId, tracked.attempt.attempt) });
    } else if (job.finishedOn !== undefined) {
      // It ran (its events were missed): active first, so a failure is not taken for one that never ran.
      if (job.processedOn !== undefined) this.#book.activate(tracked);
      const finished = job.failedReason ? { failedReason: job.failedReason } : { returnvalue: job.returnvalue };
      this.#book.finish(tracked, toOutcome(finished, tracked.attempt.taskId, tracked.attempt.attempt, node));
    } else if (job.processedOn !== undefined) this.#book.activate(tracked); // its `active` event was missed
  }

  #warn(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#tell(message);
  }

  #tell(message: string): void {
    for (const listener of this.#warnings) listener(message);
  }
}
