import type { Emitter } from 'mitt';
import { createActor, type ActorRefFrom, type AnyActorRef } from 'xstate';
import { dependencyGraphLogic } from '../machines/dependencyGraphLogic.js';
import { priorityHeapLogic } from '../machines/priorityHeapLogic.js';
import { resourcePoolLogic } from '../machines/resourcePoolLogic.js';
import { retryDelayMs, type TaskMachineInput } from '../machines/taskMachine.js';
import { taskLogic } from './taskLogic.js';
import { DependencyError, PolicyError, SchedulerError, TaskCancelledError, TaskSchedulingError, TaskTimeoutError } from './errors.js';
import { GuardedQueue } from './GuardedQueue.js';
import type { SchedulerEvents } from './events.js';
import type { DagProblem } from './internal/Dag.js';
import type { NormalizedTask } from './normalizeTaskSpec.js';
import { toQueued, toRecord, type AttemptAbort, type TaskActorRef, type TaskEntry } from './TaskEntry.js';
import type {
  PolicyContext,
  QueuedTask,
  ResourceUsage,
  SchedulerClock,
  SchedulerStats,
  SchedulingPolicy,
  TaskContext,
  TaskExplanation,
  TaskPriority,
  TaskRecord,
  TaskStatus,
} from './types.js';

/** Settings the runtime needs, already defaulted. */
export interface RuntimeSettings {
  readonly maxWorkers: number;
  readonly resources: Readonly<Record<string, number>>;
  readonly maxDependencyDepth: number;
  readonly dependencyTimeoutMs: number;
  readonly autoStart: boolean;
  readonly maxFinishedRecords: number;
  readonly policy: SchedulingPolicy;
  readonly clock: SchedulerClock;
  readonly events: Emitter<SchedulerEvents>;
}

/** How many ready tasks the pump looks past a blocked one for a task that fits. */
const SCAN_LIMIT = 64;

const FINAL = new Set(['completed', 'failed', 'cancelled']);

// Events without data are sent as shared constants: one allocation less per send.
const TASK_START = Object.freeze({ type: 'task.start' as const });
const TASK_READY = Object.freeze({ type: 'task.ready' as const });
const TASK_BLOCK = Object.freeze({ type: 'task.block' as const });
const TASK_PAUSE = Object.freeze({ type: 'task.pause' as const });
const TASK_RESUME = Object.freeze({ type: 'task.resume' as const });

/**
 * The supervisor's state and behaviour: it owns the task entries, creates one task actor per
 * task (with the scheduler actor as parent), drives the resource-pool, dependency-graph and
 * priority-heap actors, and runs the dispatch loop. The scheduler actor's logic
 * ({@link createSchedulerLogic}) hands every event it receives to this object.
 *
 * Side effects that call user code (work functions, event listeners) are not run inside a
 * transition: they go to an outbox that {@link SchedulerRuntime.flush} drains once the actor
 * system is idle, so user code may call back into the scheduler freely.
 */
export class SchedulerRuntime {
  readonly settings: RuntimeSettings;
  readonly entries = new Map<string, TaskEntry>();
  readonly #finishedOrder: string[] = [];
  #finishedHead = 0;
  #seq = 0;
  #running = 0;
  /** Tasks by status since creation (finished ones count even after their record is dropped). */
  readonly #counts: Record<TaskStatus, number> = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  readonly #runningEntries = new Set<TaskEntry>();
  #live = 0;
  #paused = false;
  #stopped = false;
  /** Worker slots given back; new ones are numbered on demand (maxWorkers may be huge). */
  readonly #freeSlots: number[] = [];
  #slotsUsed = 0;
  /** Finished ids dropped from the records, not yet told to the graph (told in batches). */
  #forgotten: string[] = [];
  #guardedQueue!: GuardedQueue;
  #policyContext!: PolicyContext;
  readonly #outbox: (() => void)[] = [];
  #flushing = false;
  #pumpScheduled = false;
  readonly #waiters = new Map<string, ((record: TaskRecord) => void)[]>();
  #idleWaiters: (() => void)[] = [];
  #idle = true;
  readonly #dependencyDeadlines: string[] = [];
  #dependencyDeadlineHead = 0;
  #dependencyTimer: unknown;
  /** Work functions started and not yet settled, and who waits for that to reach 0. */
  #inFlight = 0;
  #drainWaiters: (() => void)[] = [];
  #self!: AnyActorRef;
  #taskLogic!: typeof taskLogic;
  pool!: ActorRefFrom<typeof resourcePoolLogic>;
  graph!: ActorRefFrom<typeof dependencyGraphLogic>;
  queue!: ActorRefFrom<typeof priorityHeapLogic>;
  /** True while the facade is inside scheduleTask(s); dispatch then waits for a microtask. */
  inScheduleCall = false;
  /** Sends `scheduler.pump` to the scheduler actor; set by the facade. */
  requestPump: () => void = () => {};

  constructor(settings: RuntimeSettings) {
    this.settings = settings;
  }

  /** Creates the three helper actors as children of the scheduler actor. */
  start(self: AnyActorRef): void {
    this.#self = self;
    const runtime = this;
    this.#taskLogic = taskLogic.provide({
      actions: {
        startWork: ({ context, self: task }) => runtime.#startAttempt(context.id, context.attempt, task as TaskActorRef),
        abortWork: ({ context, event }) => runtime.#abortAttempt(context.id, event),
        requeue: ({ context }) => runtime.#requeue(context.id),
        notifyBackoff: ({ context }) => runtime.#noteBackoff(context.id, context.error, retryDelayMs(context)),
      },
    });
    this.pool = createActor(resourcePoolLogic, { parent: self, id: 'resourcePool', input: this.settings.resources });
    this.graph = createActor(dependencyGraphLogic, { parent: self, id: 'dependencyGraph' });
    this.#policyContext = {
      now: () => this.settings.clock.now(),
      dependentsOf: (id: string) => this.graph.getSnapshot().context.dag.dependentsOf(id),
      estimateOf: (id: string) => this.entries.get(id)?.estimateMs,
    };
    // The policy's queue is user code: wrapped so that a throw is recorded, never thrown
    // through the priority-heap actor's transition (see #repairQueue).
    this.#guardedQueue = new GuardedQueue(this.settings.policy.createQueue(this.#policyContext));
    this.queue = createActor(priorityHeapLogic, { parent: self, id: 'priorityHeap', input: this.#guardedQueue });
    this.pool.start();
    this.graph.start();
    this.queue.start();
  }

  get ledger() {
    return this.pool.getSnapshot().context.ledger;
  }

  get dag() {
    return this.graph.getSnapshot().context.dag;
  }

  get readyQueue() {
    return this.queue.getSnapshot().context;
  }

  get isPaused(): boolean {
    return this.#paused;
  }

  get isStopped(): boolean {
    return this.#stopped;
  }

  /** Tasks that have not reached a final state. */
  get liveCount(): number {
    return this.#live;
  }

  // ---------------------------------------------------------------- scheduling

  /** Checks a normalized batch against the graph; throws without changing anything. */
  checkBatch(batch: readonly NormalizedTask[]): void {
    const seen = new Set<string>();
    batch.forEach((task, i) => {
      if (this.entries.has(task.id) || seen.has(task.id)) {
        throw new TaskSchedulingError(`tasks[${i}].id: "${task.id}" is already used by another task`, `tasks[${i}].id`);
      }
      seen.add(task.id);
    });
    const problem = this.dag.check(batch, this.settings.maxDependencyDepth);
    if (problem) throw dependencyProblemToError(problem, this.settings.maxDependencyDepth);
  }

  /** Adds a checked batch: creates an entry and a live actor per task. */
  addBatch(batch: readonly NormalizedTask[]): void {
    const now = this.settings.clock.now();
    this.graph.send({ type: 'graph.add', batch });
    const dag = this.dag;
    const created: [TaskEntry, { id: string; outcome: 'failed' | 'cancelled' } | undefined][] = [];
    for (const task of batch) {
      const waiting = !dag.isReady(task.id);
      const upstreamOutcome = waiting ? this.#abandonedUpstream(task.dependencies) : undefined;
      const entry: TaskEntry = {
        id: task.id,
        name: task.name,
        type: task.type,
        priority: task.priority,
        seq: this.#seq++,
        status: 'pending',
        pendingReason: waiting ? 'dependencies' : 'queued',
        attempts: 0,
        maxAttempts: task.retry.attempts,
        dependencies: task.dependencies,
        resources: task.resources,
        hasResources: Object.keys(task.resources).length > 0,
        group: task.group,
        estimateMs: task.estimateMs,
        config: task.config,
        run: task.run,
        timeoutMs: task.timeoutMs,
        createdAt: now,
        dependencyDeadline:
          waiting && this.settings.dependencyTimeoutMs > 0 ? now + this.settings.dependencyTimeoutMs : undefined,
        readyAt: waiting ? undefined : now,
        startedAt: undefined,
        completedAt: undefined,
        result: undefined,
        error: undefined,
        slot: undefined,
        ref: undefined,
        abort: undefined,
        queued: undefined,
      };
      this.entries.set(task.id, entry);
      this.#counts.pending++;
      this.#live++;
      this.#idle = false;
      entry.ref = this.#createTaskActor(entry, task, waiting);
      this.#emit('task:scheduled', entry, (record) => ({ task: record }));
      created.push([entry, upstreamOutcome]);
    }
    // Only now is the whole batch known, so policies that rank by the graph see all of it.
    const ready: TaskEntry[] = [];
    for (const [entry, upstreamOutcome] of created) {
      const waiting = entry.pendingReason === 'dependencies';
      if (upstreamOutcome) {
        this.#doom(entry, upstreamOutcome.id, upstreamOutcome.outcome);
      } else if (waiting) {
        if (entry.dependencyDeadline !== undefined) this.#armDependencyDeadline(entry);
      } else {
        ready.push(entry);
      }
    }
    this.#enqueue(ready);
    this.#schedulePump();
  }

  #createTaskActor(entry: TaskEntry, task: NormalizedTask, waiting: boolean): TaskActorRef {
    const input: TaskMachineInput = {
      id: task.id,
      maxAttempts: task.retry.attempts,
      timeoutMs: task.timeoutMs,
      backoffMs: task.retry.backoffMs,
      backoffFactor: task.retry.backoffFactor,
      maxBackoffMs: task.retry.maxBackoffMs,
    };
    // A task with nothing to wait for is born queued: resolving that state directly avoids an
    // eventless transition per task (measured at about 30 µs each).
    const snapshot = this.#taskLogic.resolveState({
      value: { pending: waiting ? 'dependencies' : 'queued' },
      context: { ...input, attempt: 0, result: undefined, error: undefined, cancelReason: undefined, outcome: undefined },
    });
    const ref = createActor(this.#taskLogic, { parent: this.#self, id: entry.id, snapshot, input });
    ref.start();
    return ref;
  }

  #abandonedUpstream(dependencies: readonly string[]): { id: string; outcome: 'failed' | 'cancelled' } | undefined {
    for (const id of dependencies) {
      const outcome = this.dag.outcomeOf(id);
      if (outcome === 'failed' || outcome === 'cancelled') return { id, outcome };
    }
    return undefined;
  }

  /** Puts ready tasks in the queue with one event for the lot (a batch may hold 300k). */
  #enqueue(entries: readonly TaskEntry[]): void {
    if (entries.length === 0) return;
    const now = this.settings.clock.now();
    const tasks = entries.map((entry) => {
      entry.pendingReason = this.#paused ? 'paused' : 'queued';
      entry.readyAt ??= now;
      entry.queued = toQueued(entry);
      return entry.queued;
    });
    this.queue.send({ type: 'queue.push', tasks });
    if (this.#paused) for (const entry of entries) entry.ref?.send(TASK_PAUSE);
  }

  #dequeue(entry: TaskEntry): void {
    if (entry.queued === undefined) return;
    entry.queued = undefined;
    this.queue.send({ type: 'queue.remove', id: entry.id });
  }

  // ---------------------------------------------------------------- dispatch

  #schedulePump(): void {
    if (this.#pumpScheduled || !this.settings.autoStart) return;
    this.#pumpScheduled = true;
    // Work never starts inside scheduleTask: the first pump after it runs in a microtask.
    queueMicrotask(() => this.requestPump());
  }

  /**
   * The dispatch loop: while a worker is free, start the best-ranked ready task whose resources
   * fit. A task that does not fit reserves its request against every task ranked below it, so
   * a stream of small tasks cannot starve a large one.
   */
  pump(): void {
    this.#pumpScheduled = false;
    if (this.#paused || this.#stopped || !this.settings.autoStart) return;
    const queue = this.readyQueue;
    const ledger = this.ledger;
    let reservedChanged = false;
    let reserved: Map<string, number> | undefined;
    while (this.#running < this.settings.maxWorkers && queue.size > 0) {
      const head = queue.peek();
      if (head === undefined) break; // a failing queue answers nothing; #repairQueue follows
      if (!head.resources || ledger.fits(head.resources)) {
        this.#dispatch(head.id);
        continue;
      }
      reserved = this.#reservationsFor(queue.ordered(SCAN_LIMIT), (candidate) => this.#dispatch(candidate.id));
      reservedChanged = true;
      if (reserved === undefined) continue;
      break;
    }
    if (reservedChanged || this.pool.getSnapshot().context.reserved.size > 0) {
      this.pool.send({ type: 'pool.reserve', amounts: reserved ?? new Map() });
    }
    this.#checkIdle();
  }

  /**
   * Walks the ranked candidates; starts the first that fits after the reservations of those
   * ranked above it and returns undefined, or returns the reservations if none fits.
   */
  #reservationsFor(candidates: QueuedTask[], start: (task: QueuedTask) => void): Map<string, number> | undefined {
    const ledger = this.ledger;
    const reserved = new Map<string, number>();
    const backfill = this.settings.policy.backfill === true;
    let shadow: number | undefined;
    for (const candidate of candidates) {
      if (ledger.fits(candidate.resources, reserved)) {
        start(candidate);
        return undefined;
      }
      if (backfill && candidate.estimateMs !== undefined && ledger.fits(candidate.resources)) {
        shadow ??= this.#shadowTime(candidates[0] as QueuedTask);
        if (this.settings.clock.now() + candidate.estimateMs <= shadow) {
          start(candidate);
          return undefined;
        }
      }
      this.#markBlocked(candidate.id);
      for (const name in candidate.resources) {
        reserved.set(name, (reserved.get(name) ?? 0) + (candidate.resources[name] as number));
      }
    }
    return reserved;
  }

  /** A task the dispatcher set aside for lack of resources waits in `pending.resources`. */
  #markBlocked(id: string): void {
    const entry = this.entries.get(id);
    if (!entry || entry.pendingReason !== 'queued') return;
    entry.pendingReason = 'resources';
    entry.ref?.send(TASK_BLOCK);
  }

  /**
   * The earliest time the blocked head could start (EASY backfilling's "shadow time"): running
   * tasks release their resources at their estimated ends, in order, until the head's request
   * fits. A running task without an estimate makes the time unknown, and then nothing backfills.
   */
  #shadowTime(head: QueuedTask): number {
    const ends: { at: number; resources: Readonly<Record<string, number>> }[] = [];
    for (const entry of this.#runningEntries) {
      if (!entry.hasResources) continue;
      if (entry.estimateMs === undefined || entry.startedAt === undefined) return -Infinity;
      ends.push({ at: entry.startedAt + entry.estimateMs, resources: entry.resources });
    }
    ends.sort((a, b) => a.at - b.at);
    const freed = new Map<string, number>();
    for (const end of ends) {
      for (const name in end.resources) freed.set(name, (freed.get(name) ?? 0) + (end.resources[name] as number));
      const fitsThen = Object.entries(head.resources).every(
        ([name, amount]) => amount <= this.ledger.free(name) + (freed.get(name) ?? 0),
      );
      if (fitsThen) return end.at;
    }
    return -Infinity;
  }

  #dispatch(id: string): void {
    const entry = this.entries.get(id) as TaskEntry;
    this.#dequeue(entry);
    if (entry.hasResources) this.pool.send({ type: 'pool.allocate', owner: id, request: entry.resources });
    this.#running++;
    this.#runningEntries.add(entry);
    entry.slot = this.#freeSlots.pop() ?? this.#slotsUsed++;
    const { onStart } = this.settings.policy;
    if (onStart) {
      try {
        onStart.call(this.settings.policy, toQueued(entry));
      } catch (error) {
        // The task never starts: give back what it took, and it fails with the policy's error.
        this.#releaseRun(entry);
        this.#rejectPending(entry, new PolicyError(this.settings.policy.name, 'onStart', entry.id, error));
        return;
      }
    }
    entry.ref?.send(TASK_START);
  }

  /** Starts a queued task now if a worker is free and its resources fit; false otherwise. */
  /** True if `execute(id)` would start the task now: ready, a worker free, its resources free. */
  canExecute(id: string): boolean {
    const entry = this.#require(id);
    if (entry.status !== 'pending' || entry.queued === undefined || this.#stopped) return false;
    return this.#running < this.settings.maxWorkers && this.ledger.fits(entry.resources);
  }

  /** Starts a ready task now, out of queue order; does nothing unless {@link canExecute}. */
  execute(id: string): void {
    if (!this.canExecute(id)) return;
    const entry = this.entries.get(id) as TaskEntry;
    if (entry.pendingReason === 'paused') entry.ref?.send(TASK_RESUME);
    this.#dispatch(id);
  }

  // ---------------------------------------------------------------- task actor effects

  #startAttempt(id: string, attempt: number, ref: TaskActorRef): void {
    const entry = this.entries.get(id) as TaskEntry;
    this.#setStatus(entry, 'running');
    entry.pendingReason = undefined;
    entry.attempts = attempt;
    entry.startedAt = this.settings.clock.now();
    // One abort holder per attempt: a retry must not hand the old attempt the new signal.
    const abort: AttemptAbort = { controller: undefined };
    entry.abort = abort;
    this.#emit('task:started', entry, (task) => ({ task, attempt }));
    const runtime = this;
    const context: TaskContext<any> = {
      // Built on first read: most work never looks at its own record.
      get task() {
        return toRecord(entry);
      },
      config: entry.config,
      attempt,
      get signal() {
        abort.controller ??= new AbortController();
        return abort.controller.signal;
      },
    };
    this.#outbox.push(() => {
      let work: Promise<unknown>;
      try {
        work = Promise.resolve(entry.run(context));
      } catch (error) {
        work = Promise.reject(error);
      }
      runtime.#inFlight++;
      work.then(
        (result) => runtime.#deliver(ref, { type: 'task.succeed', attempt, result }),
        (error: unknown) => runtime.#deliver(ref, { type: 'task.fail', attempt, error: toError(error) }),
      );
    });
  }

  #deliver(ref: TaskActorRef, event: { type: 'task.succeed'; attempt: number; result: unknown } | { type: 'task.fail'; attempt: number; error: Error }): void {
    // A late outcome (after cancel, timeout or a newer attempt) reaches a stopped actor or
    // fails the machine's attempt guard: either way it changes nothing.
    if (ref.getSnapshot().status === 'active') ref.send(event);
    this.flush();
    if (--this.#inFlight === 0 && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  }

  /** Gives back a running (or just dispatched) task's worker slot and resources. */
  #releaseRun(entry: TaskEntry): void {
    this.#running--;
    this.#runningEntries.delete(entry);
    if (entry.slot !== undefined) this.#freeSlots.push(entry.slot);
    entry.slot = undefined;
    if (entry.hasResources) this.pool.send({ type: 'pool.release', owner: entry.id });
  }

  /** A pending task fails without running (a policy threw about it). */
  #rejectPending(entry: TaskEntry, error: SchedulerError): void {
    this.reportError(error);
    entry.ref?.send({ type: 'task.upstreamFailed', error });
  }

  #abortAttempt(id: string, event: { type: string }): void {
    const entry = this.entries.get(id) as TaskEntry;
    this.#releaseRun(entry);
    const { onFinish } = this.settings.policy;
    if (onFinish) {
      try {
        onFinish.call(this.settings.policy, toQueued(entry));
      } catch (error) {
        // The attempt has ended whatever the policy thinks of it: report, change no outcome.
        this.reportError(new PolicyError(this.settings.policy.name, 'onFinish', id, error));
      }
    }
    if (event.type === 'task.succeed') return; // finish() pumps
    // A failed attempt that will be retried never reaches finish(): its slot must be used now.
    if (event.type === 'task.fail') {
      this.#schedulePump();
      return;
    }
    const reason =
      event.type === 'task.cancel'
        ? new TaskCancelledError(id, (event as { reason?: string }).reason ?? 'cancelled')
        : new TaskTimeoutError(id, entry.timeoutMs);
    // Created here if the work never read its signal, so a late read still sees the reason.
    const abort = entry.abort;
    if (abort) {
      abort.controller ??= new AbortController();
      abort.controller.abort(reason);
    }
    entry.abort = undefined;
    this.#schedulePump();
  }

  #requeue(id: string): void {
    const entry = this.entries.get(id) as TaskEntry;
    entry.readyAt = this.settings.clock.now();
    this.#enqueue([entry]);
    this.#schedulePump();
  }

  #noteBackoff(id: string, error: Error | undefined, delayMs: number): void {
    const entry = this.entries.get(id) as TaskEntry;
    this.#setStatus(entry, 'pending');
    entry.pendingReason = 'backoff';
    entry.error = error;
    this.#emit('task:retrying', entry, (task) => ({ task, attempt: entry.attempts, error: error ?? new Error('retry'), delayMs }));
  }

  // ---------------------------------------------------------------- outcomes

  /** A task actor reached a final state. */
  finish(id: string): void {
    const entry = this.entries.get(id);
    if (!entry || entry.ref === undefined) return;
    const output = entry.ref.getSnapshot().output;
    if (output === undefined) return;
    this.#settle(entry, output.status, output.result, output.error, output.cancelReason);
  }

  /**
   * A task actor failed inside its own transition (an effect threw): a bug, not the task's
   * failure, but the task must still end, give back its worker and resources, and say why.
   */
  crash(id: string, cause: unknown): void {
    const entry = this.entries.get(id);
    if (!entry || entry.ref === undefined || FINAL.has(entry.status)) return;
    if (this.#runningEntries.has(entry)) {
      this.#releaseRun(entry);
      entry.abort?.controller?.abort(cause);
    }
    const error = new SchedulerError('INTERNAL', `task "${id}" failed inside the scheduler: ${toError(cause).message}`, { cause });
    this.reportError(error);
    this.#settle(entry, 'failed', undefined, error, undefined);
  }

  #settle(
    entry: TaskEntry,
    status: 'completed' | 'failed' | 'cancelled',
    result: unknown,
    error: Error | undefined,
    cancelReason: string | undefined,
  ): void {
    const id = entry.id;
    this.#setStatus(entry, status);
    entry.pendingReason = undefined;
    entry.result = result;
    entry.error = status === 'completed' ? undefined : (error ?? entry.error);
    entry.completedAt = this.settings.clock.now();
    entry.ref = undefined;
    entry.abort = undefined;
    this.#live--;
    this.#dequeue(entry);
    if (status === 'completed') {
      this.graph.send({ type: 'graph.completed', id });
      for (const ready of this.graph.getSnapshot().context.unblocked) this.#release(ready);
      this.#emit('task:completed', entry, (task) => ({ task, result: entry.result }));
    } else {
      if (status === 'cancelled') {
        entry.error ??= new TaskCancelledError(id, cancelReason ?? 'cancelled');
        this.#emit('task:cancelled', entry, (task) => ({ task, reason: cancelReason ?? 'cancelled' }));
      } else {
        this.#emit('task:failed', entry, (task) => ({ task, error: entry.error as Error }));
      }
      this.graph.send({ type: 'graph.abandoned', id, outcome: status });
      for (const dependent of this.graph.getSnapshot().context.doomed) {
        const downstream = this.entries.get(dependent);
        if (downstream && !FINAL.has(downstream.status)) this.#doom(downstream, id, status);
      }
    }
    this.#settleWaiters(entry);
    this.#retain(id);
    // Pump at once (a slot just freed) unless a scheduleTask call is on the stack: work must
    // not start before it returns.
    if (this.inScheduleCall) this.#schedulePump();
    else this.pump();
  }

  /** A dependency completed and the task has none left: it joins the ready queue. */
  #release(id: string): void {
    const entry = this.entries.get(id);
    if (!entry || entry.status !== 'pending' || entry.pendingReason !== 'dependencies') return;
    entry.readyAt = this.settings.clock.now();
    entry.ref?.send(TASK_READY);
    this.#enqueue([entry]);
  }

  /** An upstream failed or was cancelled: the dependent follows, and its work never runs. */
  #doom(entry: TaskEntry, upstream: string, outcome: 'failed' | 'cancelled'): void {
    if (outcome === 'cancelled') {
      entry.ref?.send({ type: 'task.cancel', reason: `dependency "${upstream}" was cancelled` });
    } else {
      const error = new DependencyError(`task "${entry.id}" cannot run: dependency "${upstream}" failed`, [upstream, entry.id]);
      entry.ref?.send({ type: 'task.upstreamFailed', error });
    }
  }

  cancel(id: string, reason: string): boolean {
    const entry = this.#require(id);
    if (FINAL.has(entry.status) || entry.ref === undefined) return false;
    entry.ref.send({ type: 'task.cancel', reason });
    return true;
  }

  updatePriority(id: string, priority: TaskPriority): boolean {
    const entry = this.#require(id);
    if (entry.status !== 'pending') return false;
    entry.priority = priority;
    if (entry.queued !== undefined) {
      entry.queued = toQueued(entry);
      this.queue.send({ type: 'queue.update', task: entry.queued });
    }
    this.#schedulePump();
    return true;
  }

  pause(): void {
    this.#setPaused(true);
  }

  resume(): void {
    this.#setPaused(false);
    this.#schedulePump();
  }

  /** Moves every queued task into `pending.paused`, or back to `pending.queued`. */
  #setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    const queue = this.readyQueue;
    for (const task of queue.ordered(queue.size)) {
      const entry = this.entries.get(task.id);
      if (!entry) continue;
      entry.pendingReason = paused ? 'paused' : 'queued';
      entry.ref?.send(paused ? TASK_PAUSE : TASK_RESUME);
    }
  }

  /** Cancels everything live and refuses further work. */
  stopAll(reason: string): void {
    this.#stopped = true;
    // Nothing waits for a dependency any more: a timer left armed would keep the process alive.
    if (this.#dependencyTimer !== undefined) this.settings.clock.clearTimeout(this.#dependencyTimer);
    this.#dependencyTimer = undefined;
    this.#dependencyDeadlines.length = 0;
    this.#dependencyDeadlineHead = 0;
    for (const entry of [...this.entries.values()]) {
      if (!FINAL.has(entry.status)) entry.ref?.send({ type: 'task.cancel', reason });
    }
  }

  /**
   * Resolves when every work function that was started has settled, or after `graceMs` of
   * real time: work that ignores its abort signal must not hold `stop()` forever.
   */
  async drain(graceMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Not unref'd: the caller awaits this, and Node must not exit in the middle of the await
    // (exit code 13) because only unsettled work is left.
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.min(graceMs, 2 ** 31 - 1));
    });
    const settled =
      this.#inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    await Promise.race([settled, expired]);
    clearTimeout(timer);
  }

  // ---------------------------------------------------------------- dependency deadlines

  #armDependencyDeadline(entry: TaskEntry): void {
    // Every task gets the same timeout, so deadlines arrive in creation order: a FIFO and one
    // timer serve them all (an XState delay per waiting task would make every actor stop scan
    // all of them: xstate's cancelAll walks every scheduled event in the system).
    this.#dependencyDeadlines.push(entry.id);
    if (this.#dependencyTimer === undefined) this.#armDependencyTimer();
  }

  #armDependencyTimer(): void {
    const clock = this.settings.clock;
    while (this.#dependencyDeadlineHead < this.#dependencyDeadlines.length) {
      const id = this.#dependencyDeadlines[this.#dependencyDeadlineHead] as string;
      const entry = this.entries.get(id);
      if (!entry || entry.pendingReason !== 'dependencies' || entry.dependencyDeadline === undefined) {
        this.#dependencyDeadlineHead++;
        continue;
      }
      const delay = Math.max(0, entry.dependencyDeadline - clock.now());
      this.#dependencyTimer = clock.setTimeout(() => {
        this.#dependencyTimer = undefined;
        this.#expireDependencyDeadlines();
        this.flush();
      }, delay);
      return;
    }
    this.#dependencyDeadlines.length = 0;
    this.#dependencyDeadlineHead = 0;
  }

  #expireDependencyDeadlines(): void {
    const now = this.settings.clock.now();
    while (this.#dependencyDeadlineHead < this.#dependencyDeadlines.length) {
      const id = this.#dependencyDeadlines[this.#dependencyDeadlineHead] as string;
      const entry = this.entries.get(id);
      if (entry && entry.pendingReason === 'dependencies' && entry.dependencyDeadline !== undefined) {
        if (entry.dependencyDeadline > now) break;
        const waitingOn = this.dag.waitingOn(id);
        entry.ref?.send({
          type: 'task.upstreamFailed',
          error: new DependencyError(
            `task "${id}" waited more than ${this.settings.dependencyTimeoutMs} ms for its dependencies (still waiting on ${waitingOn.join(', ')})`,
            [...waitingOn, id],
          ),
        });
      }
      this.#dependencyDeadlineHead++;
    }
    this.#armDependencyTimer();
  }

  // ---------------------------------------------------------------- records and queries

  #retain(id: string): void {
    this.#finishedOrder.push(id);
    const limit = this.settings.maxFinishedRecords;
    while (this.#finishedOrder.length - this.#finishedHead > limit) {
      const oldest = this.#finishedOrder[this.#finishedHead++] as string;
      this.entries.delete(oldest);
      this.#forgotten.push(oldest);
    }
    // The records are exact; the graph hears of dropped ids in batches (one event per batch).
    if (this.#forgotten.length > Math.max(0, limit >> 3)) {
      this.graph.send({ type: 'graph.forget', ids: this.#forgotten });
      this.#forgotten = [];
    }
    if (this.#finishedHead > 4096 && this.#finishedHead * 2 > this.#finishedOrder.length) {
      this.#finishedOrder.splice(0, this.#finishedHead);
      this.#finishedHead = 0;
    }
  }

  #require(id: string): TaskEntry {
    const entry = this.entries.get(id);
    if (entry === undefined) {
      throw new TaskSchedulingError(
        `id: no task "${id}" is known to this scheduler (never scheduled, or finished and dropped past maxFinishedRecords)`,
        'id',
      );
    }
    return entry;
  }

  record(id: string): TaskRecord {
    return toRecord(this.#require(id));
  }

  waitFor(id: string): Promise<TaskRecord> {
    const entry = this.#require(id);
    if (FINAL.has(entry.status)) return Promise.resolve(toRecord(entry));
    return new Promise((resolve) => {
      const list = this.#waiters.get(id);
      if (list) list.push(resolve);
      else this.#waiters.set(id, [resolve]);
    });
  }

  #settleWaiters(entry: TaskEntry): void {
    const list = this.#waiters.get(entry.id);
    if (!list) return;
    this.#waiters.delete(entry.id);
    const record = toRecord(entry);
    this.#outbox.push(() => list.forEach((resolve) => resolve(record)));
  }

  onIdle(): Promise<void> {
    if (this.#live === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #checkIdle(): void {
    if (this.#live !== 0) {
      this.#idle = false;
      return;
    }
    if (this.#idle) return;
    this.#idle = true;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    this.#outbox.push(() => {
      // A listener that ran before this (task:completed, say) may have scheduled more work:
      // idle means nothing live after the listeners ran, so the waiters wait for the next idle.
      if (this.#live !== 0) {
        this.#idle = false;
        this.#idleWaiters.unshift(...waiters);
        return;
      }
      waiters.forEach((resolve) => resolve());
      this.settings.events.emit('idle', undefined);
    });
  }

  explain(id: string): TaskExplanation {
    const entry = this.#require(id);
    const waitingOn = entry.status === 'pending' ? this.dag.waitingOn(id) : [];
    const ledger = this.ledger;
    const queue = this.readyQueue;
    const ahead: string[] = [];
    let aheadCount = 0;
    const short: Record<string, { requested: number; free: number }> = {};
    if (entry.queued !== undefined) {
      const ordered = queue.ordered(queue.size);
      const reserved = new Map<string, number>();
      for (const task of ordered) {
        if (task.id === id) break;
        aheadCount++;
        if (ahead.length < 20) ahead.push(task.id);
        for (const name in task.resources) reserved.set(name, (reserved.get(name) ?? 0) + (task.resources[name] as number));
      }
      for (const name in entry.resources) {
        const requested = entry.resources[name] as number;
        const free = Math.max(0, ledger.free(name) - (reserved.get(name) ?? 0));
        if (requested > free) short[name] = { requested, free };
      }
    }
    const workersBusy = this.#running >= this.settings.maxWorkers;
    const explanation = {
      id,
      status: entry.status,
      pendingReason: entry.pendingReason,
      dependencies: waitingOn,
      resources: short,
      workersBusy,
      paused: this.#paused,
      ahead,
      aheadCount,
    };
    return { ...explanation, summary: summarize(entry, explanation) };
  }

  #setStatus(entry: TaskEntry, status: TaskStatus): void {
    this.#counts[entry.status]--;
    this.#counts[status]++;
    entry.status = status;
  }

  /** O(1): the dashboard asks on every tick, and the scheduler may hold 300k tasks. */
  stats(): SchedulerStats {
    const counts = { ...this.#counts };
    const ledger = this.ledger;
    const reserved = this.pool.getSnapshot().context.reserved;
    const resources: Record<string, ResourceUsage> = {};
    for (const name of ledger.names()) {
      // What the waiting tasks hold back is at most what is free: used + reserved <= capacity.
      const held = Math.min(ledger.free(name), reserved.get(name) ?? 0);
      resources[name] = { capacity: ledger.capacity(name), used: ledger.used(name), reserved: held };
    }
    return { ...counts, maxWorkers: this.settings.maxWorkers, paused: this.#paused, resources };
  }

  /** Worker slot of a running task. */
  slotOf(id: string): number | undefined {
    return this.entries.get(id)?.slot;
  }

  // ---------------------------------------------------------------- outbox

  #emit<K extends Exclude<keyof SchedulerEvents, 'idle'>>(
    type: K,
    entry: TaskEntry,
    payload: (record: TaskRecord) => SchedulerEvents[K],
  ): void {
    const events = this.settings.events;
    if (!events.all.has(type) && !events.all.has('*')) return;
    const event = payload(toRecord(entry));
    this.#outbox.push(() => events.emit(type, event));
  }

  /** Runs queued side effects (work starts, listeners, waiters) outside any actor transition. */
  flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    for (let i = 0; ; i++) {
      this.#repairQueue();
      if (i >= this.#outbox.length) break;
      try {
        (this.#outbox[i] as () => void)();
      } catch (error) {
        // A throwing listener must not cost the effects queued after it (work starts among them).
        this.#reportListenerError(error);
      }
    }
    this.#outbox.length = 0;
    this.#flushing = false;
  }

  /**
   * After a call into the policy's queue threw: the task it was about fails with a PolicyError,
   * and the queue is rebuilt from the tasks still queued. A failure about the whole queue (peek,
   * ordered), or a rebuild that fails again, means the policy cannot order these tasks at all:
   * every queued task fails. Either way every task reaches a final state and frees what it held.
   */
  #repairQueue(): void {
    const guarded = this.#guardedQueue;
    if (guarded === undefined || !guarded.hasFailures) return;
    const failures = guarded.takeFailures();
    const policy = this.settings.policy.name;
    const queued = [...this.entries.values()].filter((entry) => entry.queued !== undefined).sort((a, b) => a.seq - b.seq);
    const culprits = new Map<string, PolicyError>();
    for (const { method, taskId, error } of failures) {
      const policyError = new PolicyError(policy, method, taskId, error);
      if (taskId === undefined) for (const entry of queued) culprits.set(entry.id, policyError);
      else culprits.set(taskId, policyError);
    }
    let rebuilt = false;
    try {
      guarded.replace(this.settings.policy.createQueue(this.#policyContext));
      rebuilt = true;
    } catch (error) {
      const policyError = new PolicyError(policy, 'createQueue', undefined, error);
      for (const entry of queued) culprits.set(entry.id, policyError);
    }
    const keep = queued.filter((entry) => !culprits.has(entry.id));
    for (const entry of keep) guarded.push(entry.queued as QueuedTask);
    if (rebuilt && guarded.hasFailures) {
      // The fresh queue failed too: the policy cannot order what is queued.
      const again = guarded.takeFailures()[0] as { method: string; taskId: string | undefined; error: unknown };
      const policyError = new PolicyError(policy, again.method, again.taskId, again.error);
      for (const entry of keep) culprits.set(entry.id, policyError);
      guarded.replace({ size: 0, push: () => {}, remove: () => false, update: () => false, peek: () => undefined, pop: () => undefined, ordered: () => [] });
    }
    const reported = new Set<PolicyError>();
    for (const [id, error] of culprits) {
      const entry = this.entries.get(id);
      if (!entry || entry.status !== 'pending') continue;
      entry.queued = undefined;
      if (!reported.has(error)) this.reportError(error);
      reported.add(error);
      entry.ref?.send({ type: 'task.upstreamFailed', error });
    }
    // The tasks that failed freed nothing (they were queued), but the rebuilt queue may start some.
    this.#schedulePump();
  }

  /**
   * Reports a failure of user code around the scheduler (a policy) on the `error` event; with no
   * listener, as a process warning: the affected task already carries the error.
   */
  reportError(error: SchedulerError): void {
    const events = this.settings.events;
    if (events.all.has('error')) this.#outbox.push(() => events.emit('error', { error }));
    else process.emitWarning(error);
  }

  #reportListenerError(error: unknown): void {
    const events = this.settings.events;
    if (events.all.has('error')) {
      events.emit('error', { error: toError(error) });
      return;
    }
    // Like a throwing listener on a Node EventEmitter: nobody handles it, so it is uncaught.
    queueMicrotask(() => {
      throw error;
    });
  }
}

function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  return new Error(typeof error === 'string' ? error : `non-Error thrown: ${String(error)}`);
}

function dependencyProblemToError(problem: DagProblem, maxDepth: number): DependencyError {
  switch (problem.kind) {
    case 'unknown':
      return new DependencyError(
        `dependencies: task "${problem.id}" depends on unknown task "${problem.dependency}"`,
        [problem.id, problem.dependency],
      );
    case 'self':
      return new DependencyError(`dependencies: task "${problem.id}" depends on itself`, [problem.id, problem.id]);
    case 'cycle':
      return new DependencyError(`dependencies: cycle ${problem.path.join(' -> ')}`, problem.path);
    case 'depth':
      return new DependencyError(
        `dependencies: task "${problem.id}" is ${problem.depth} dependencies deep, more than maxDependencyDepth ${maxDepth} (chain ${problem.path.join(' -> ')})`,
        problem.path,
      );
  }
}

function summarize(
  entry: TaskEntry,
  e: Omit<TaskExplanation, 'summary'>,
): string {
  if (entry.status !== 'pending') return `task "${entry.id}" is ${entry.status}`;
  if (e.dependencies.length > 0) return `waiting for ${e.dependencies.length} dependencies: ${e.dependencies.join(', ')}`;
  if (e.pendingReason === 'backoff') return `waiting to retry after attempt ${entry.attempts} failed`;
  if (e.paused) return 'the scheduler is paused';
  const parts: string[] = [];
  if (e.workersBusy) parts.push('all workers are busy');
  const short = Object.entries(e.resources).map(([name, r]) => `${name} ${r.requested} requested, ${r.free} free`);
  if (short.length > 0) parts.push(`resources short: ${short.join('; ')}`);
  if (e.aheadCount > 0) parts.push(`${e.aheadCount} ready task(s) ahead`);
  return parts.length > 0 ? parts.join('; ') : 'ready: it starts at the next dispatch';
}
