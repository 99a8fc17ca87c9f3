import { createActor, type Actor, type ActorLogic, type ActorRefFrom, type ActorSystem, type AnyActorRef } from 'xstate';
import { dependencyGraphLogic } from '../../machines/dependencyGraphLogic.js';
import { priorityHeapLogic } from '../../machines/priorityHeapLogic.js';
import { resourcePoolLogic } from '../../machines/resourcePoolLogic.js';
import { retryDelayMs, type TaskMachineContext, type TaskMachineEvent, type TaskMachineOutput } from '../../machines/taskMachine.js';
import {
  AttemptInterruptedError,
  DependencyTimeoutError,
  PolicyError,
  RaceLostError,
  SchedulerError,
  TaskCancelledError,
  TaskNotRecoverableError,
  TaskSchedulingError,
  TaskTimeoutError,
  UpstreamFailedError,
  type TaskStoreError,
} from '../errors.js';
import { toError } from '../internal/toError.js';
import type { PolicyContext, QueuedTask, ResourceUsage, SchedulerStats, TaskExplanation, TaskPriority, TaskRecord } from '../types.js';
import { childEnded, newFamily, spawnProblem, type Family } from './Family.js';
import { DependencyDeadlines } from './DependencyDeadlines.js';
import type { AttemptOutcome } from './Executor.js';
import { explainTask } from './explainTask.js';
import { GuardedQueue } from './GuardedQueue.js';
import { abandonedUpstream, attemptEndOf, checkBatch, dependentEvent, isFinalFailure, nextDispatch, type DispatchView, type RunningEstimate } from './decisions.js';
import { RACE_HAS_NO_WORK, type NormalizedTask } from './normalizeTaskSpec.js';
import { Outbox } from './Outbox.js';
import { repairQueue, type QueueRepairHost } from './repairQueue.js';
import { droppedRecords, fromStoredError, isLostWithScheduler, MISSING_WORK, toEntry, type InterruptionBudget, type RestoreOptions } from './restoreRun.js';
import { resubmittedTasks } from './resubmittedTasks.js';
import type { SupervisorSettings } from './SupervisorSettings.js';
import { TaskActors, taskLogic } from './TaskActors.js';
import {
  AttemptHandle,
  attemptsOf,
  errorOf,
  isLive,
  pendingReasonOf,
  statusOf,
  toBackupRecord,
  toQueuedTask,
  toRecord,
  UNSTARTED,
  type AttemptReporter,
  type FinalStatus,
  type TaskEntry,
} from './TaskEntry.js';
import type { StoredTaskState } from './TaskStore.js';
import { TaskRegistry } from './TaskRegistry.js';
import { toStoredError, toStoredTask } from './toStoredTask.js';
import { Waiters } from './Waiters.js';
import { WorkerSlots } from './WorkerSlots.js';
import { Speculation } from './Speculation.js';
import { askHistory, type HistoryHost } from './askHistory.js';
import type { CacheableTask } from '../history/cacheKey.js';
import { noteAttemptUsage } from './noteAttemptUsage.js';

export type { SupervisorSettings } from './SupervisorSettings.js';

// Events without data are sent as shared constants: one allocation less per send.
const TASK_BLOCK = Object.freeze({ type: 'task.block' as const });
const TASK_PAUSE = Object.freeze({ type: 'task.pause' as const });
const TASK_RESUME = Object.freeze({ type: 'task.resume' as const });
const TASK_START = Object.freeze({ type: 'task.start' as const });
const TASK_DISPATCH = Object.freeze({ type: 'task.dispatch' as const });
const TASK_READY = Object.freeze({ type: 'task.ready' as const });
const TASK_RETRY = Object.freeze({ type: 'task.retry' as const });
const TASK_RACE = Object.freeze({ type: 'task.race' as const });
const SCHEDULER_PUMP = Object.freeze({ type: 'scheduler.pump' as const });
const NO_RESERVATIONS: ReadonlyMap<string, number> = new Map();

// Records taken in an entry action describe the state being entered.
const RUNNING = Object.freeze({ status: 'running' as const, pendingReason: undefined });
const IN_BACKOFF = Object.freeze({ status: 'pending' as const, pendingReason: 'backoff' as const });

/** Events the scheduler actor accepts. */
export type SchedulerEvent =
  | { type: 'scheduler.schedule'; batch: readonly NormalizedTask[] }
  | { type: 'scheduler.restore'; states: readonly StoredTaskState[]; options: RestoreOptions }
  | { type: 'scheduler.pump' }
  | { type: 'scheduler.execute'; id: string }
  | { type: 'scheduler.cancel'; id: string; reason: string }
  | { type: 'scheduler.priority'; id: string; priority: TaskPriority }
  | { type: 'scheduler.pause' }
  | { type: 'scheduler.resume' }
  | { type: 'scheduler.stop'; reason: string }
  | { type: `xstate.done.actor.${string}` }
  | { type: `xstate.error.actor.${string}`; error: unknown };

/** The scheduler actor's snapshot: small and serializable, so inspectors can show it. */
export interface SchedulerSnapshot {
  status: 'active';
  output: undefined;
  error: undefined;
  context: { live: number; paused: boolean; stopped: boolean; queued: number };
}

const DONE_PREFIX = 'xstate.done.actor.';
const ERROR_PREFIX = 'xstate.error.actor.';

/**
 * The scheduler actor's state and behaviour: the one owner of the scheduler's state. Every field
 * is private and changed only here. It keeps the registry of tasks, creates one task actor per
 * task (with the scheduler actor as parent), drives the resource-pool, dependency-graph and
 * priority-heap actors, runs the machine's effects (an attempt's start and end, the retry wait,
 * the queue), and settles each task's end: the record, the journal, the graph's cascade, the
 * waiters. What runs next is {@link nextDispatch}'s, a pure function; why a task waits is
 * {@link explainTask}'s, another; this class applies what they decide.
 *
 * One class rather than eight files that each take it whole: the state and the code that changes
 * it stay together (split by job, not by line count). Helpers get the narrow view they need:
 * {@link AttemptReporter}, {@link QueueRepairHost}, the deadlines' host, the actors' watch.
 */
export class Supervisor {
  readonly #settings: SupervisorSettings;
  readonly #registry: TaskRegistry;
  readonly #outbox: Outbox;
  readonly #waiters: Waiters;
  readonly #deadlines: DependencyDeadlines;
  readonly #actors: TaskActors;
  /** Entries whose attempt holds a worker slot: running, or dispatched and not yet active. */
  readonly #running = new Set<TaskEntry>();
  readonly #slots: WorkerSlots;
  /** What a dispatch sends: the work runs at once, or waits until its executor reports it active. */
  readonly #startEvent: TaskMachineEvent;
  /** The executor's view of an attempt's supervisor, one for all attempts. */
  readonly #reporter: AttemptReporter;
  /** The queue repair's view, one for the scheduler's life. */
  readonly #repairHost: QueueRepairHost;
  /** What asking the history needs (see askHistory), when the scheduler has a history. */
  readonly #history: HistoryHost | undefined;
  /** Backup copies of stragglers, with `speculate` (see Speculation). */
  readonly #speculation: Speculation | undefined;
  #seq = 0;
  #paused = false;
  #stopped = false;
  /** The store write that failed, once one has: the scheduler is halted (see {@link Supervisor.halt}). */
  #failure: TaskStoreError | undefined;
  /** An error the facade throws to the call whose event met it (a store that refused a batch). */
  #callerError: unknown;
  #pumpScheduled = false;
  #view: DispatchView<TaskEntry> | undefined;
  /** Executor `abort` calls under way (see `#deliver`). */
  #aborting = 0;
  /** Failures of the policy's queue about no task in particular since the last dispatch. */
  #queueStrikes = 0;
  /** Entries marked queued: what the policy's queue should hold, whatever it says. */
  #queuedCount = 0;
  /**
   * How deep the facade is inside scheduleTask(s) (a listener may call it again from inside);
   * while above 0, dispatch waits for a microtask.
   */
  #scheduleDepth = 0;
  // Created in start(), with the scheduler actor as their parent.
  #guardedQueue!: GuardedQueue;
  #policyContext!: PolicyContext;
  #pool!: ActorRefFrom<typeof resourcePoolLogic>;
  #graph!: ActorRefFrom<typeof dependencyGraphLogic>;
  #queue!: ActorRefFrom<typeof priorityHeapLogic>;
  /** The scheduler actor: a pump asked for later is an event to it, like any other step. */
  #self!: AnyActorRef;

  constructor(settings: SupervisorSettings) {
    this.#settings = settings;
    this.#slots = new WorkerSlots(settings.maxWorkers);
    this.#startEvent = settings.executor.reportsActive === true ? TASK_DISPATCH : TASK_START;
    this.#reporter = {
      placed: (entry, attempt, node) => this.#placed(entry, attempt, node),
      active: (entry, attempt) => this.#active(entry, attempt),
      spawn: (entry, attempt, specs) => settings.spawnChildren(entry.id, attempt, specs),
    };
    const self = this;
    this.#history = settings.cache && {
      cache: settings.cache,
      entry: (id) => this.#registry.entries.get(id),
      send: (entry, event) => this.#actors.send(entry, event),
      reportError: (error) => this.#outbox.reportError(error),
    };
    this.#speculation = settings.speculate === undefined ? undefined : this.#createSpeculation(settings.speculate);
    this.#repairHost = {
      get guarded() {
        return self.#guardedQueue;
      },
      policy: settings.policy,
      get policyContext() {
        return self.#policyContext;
      },
      entryOf: (id) => this.#registry.entries.get(id),
      queuedBySeq: () => [...this.#registry.entries.values()].filter((entry) => entry.queued).sort((a, b) => a.seq - b.seq),
      strike: () => this.#queueStrikes++,
      reportError: (error) => this.#outbox.reportError(error),
      failQueued: (entry, error) => {
        if (entry.queued) this.#queuedCount--;
        entry.queued = false;
        this.#actors.send(entry, { type: 'task.upstreamFailed', error });
      },
      pumpLater: () => this.#pumpLater(),
    };
    this.#outbox = new Outbox(settings.events, () => {
      if (this.#guardedQueue?.hasFailures) repairQueue(this.#repairHost);
      // Nothing that follows from a transition is seen before the transition is durable.
      settings.journal?.commit();
    });
    this.#registry = new TaskRegistry(settings.maxFinishedRecords, (ids) => {
      this.#graph.send({ type: 'graph.forget', ids });
      settings.journal?.forget(ids);
    });
    this.#waiters = new Waiters(this.#outbox, () => this.#registry.live, () => {
      // No task waits any more: a deadline of one that became ready must not hold the process.
      this.#deadlines.stop();
      settings.events.emit('idle', undefined);
    });
    this.#deadlines = new DependencyDeadlines({
      clock: settings.clock,
      deadlineOf: (id) => {
        const entry = this.#registry.entries.get(id);
        return entry && pendingReasonOf(entry) === 'dependencies' ? entry.dependencyDeadline : undefined;
      },
      expire: (id) => this.#expireDependencyWait(id),
    });
    const events = settings.events.all;
    this.#actors = new TaskActors(settings.liveActorLimit, {
      isWatched: () => events.has('task:waiting') || events.has('*'),
      moved: (entry) => this.#outbox.emit('task:waiting', () => ({ task: toRecord(entry) })),
    });
  }

  /** Backups of stragglers (`speculate`): its view of the supervisor. */
  #createSpeculation(multiple: number): Speculation {
    const { clock, executor, estimates } = this.#settings;
    return new Speculation({
      multiple,
      clock,
      executor,
      estimates,
      slots: this.#slots,
      isTask: (id) => this.#registry.entries.has(id),
      allocate: (owner, request) => this.#pool.send({ type: 'pool.allocate', owner, request }),
      release: (owner) => this.#pool.send({ type: 'pool.release', owner }),
      abort: (id, attempt, reason) => this.#abortReported(id, attempt, reason),
      pumpLater: () => this.#pumpLater(),
      deliver: this.#deliver,
      push: (effect) => this.#outbox.push(effect),
      emit: (entry) => {
        const backup = entry.backup;
        if (backup !== undefined) this.#outbox.emit('task:backup', () => ({ task: toRecord(entry), backup: toBackupRecord(backup) }));
      },
      free: (name) => this.#ledger.free(name),
      waitingPriority: () => this.#readyQueue.peek()?.priority,
      flush: () => this.#outbox.flush(),
    });
  }

  /** Creates the three helper actors as children of the scheduler actor; task actors get it as parent. */
  start(self: AnyActorRef): void {
    this.#self = self;
    this.#actors.init(self, taskLogic.provide({
      actions: {
        startWork: ({ context }) => this.#startAttempt(context, true),
        dispatchWork: ({ context }) => this.#startAttempt(context, false),
        activateWork: ({ context }) => this.#activate(context),
        abortWork: ({ context, event }) => this.#endAttempt(context.id, context.attempt, event, true),
        withdrawWork: ({ context, event }) => this.#endAttempt(context.id, context.attempt, event, false),
        requeue: ({ context }) => this.#requeue(context.id),
        notifyBackoff: ({ context }) => this.#noteBackoff(context, retryDelayMs(context)),
      },
    }));
    this.#pool = createActor(resourcePoolLogic, { parent: self, id: 'resourcePool', input: this.#settings.resources });
    this.#graph = createActor(dependencyGraphLogic, { parent: self, id: 'dependencyGraph' });
    this.#policyContext = {
      now: () => this.#settings.clock.now(),
      dependentsOf: (id: string) => this.#dag.dependentsOf(id),
      estimateOf: (id: string) => this.#registry.entries.get(id)?.estimateMs,
      resourcesOf: (id: string) => this.#registry.entries.get(id)?.resources,
      maxWorkers: this.#settings.maxWorkers,
      capacity: this.#settings.resources,
    };
    // The policy's queue is user code: wrapped so that a throw is recorded, never thrown
    // through the priority-heap actor's transition (see repairQueue).
    this.#guardedQueue = new GuardedQueue(this.#settings.policy.createQueue(this.#policyContext));
    this.#queue = createActor(priorityHeapLogic, { parent: self, id: 'priorityHeap', input: this.#guardedQueue });
    this.#pool.start();
    this.#graph.start();
    this.#queue.start();
  }

  /** One event of the scheduler actor: one call here. */
  receive(event: SchedulerEvent): void {
    try {
      this.#apply(event);
    } catch (error) {
      // The store refused a batch: the scheduler halted already; the call that asked throws it.
      if (error === this.#failure) this.#callerError = error;
      // A bug of ours must not kill the root actor (every later call would be ignored): it is
      // reported, and the scheduler goes on with what it has.
      else this.#outbox.reportError(new SchedulerError('INTERNAL', `scheduler failed handling ${event.type}: ${String(error)}`, { cause: error }));
    }
  }

  #apply(event: SchedulerEvent): void {
    switch (event.type) {
      case 'scheduler.schedule':
        this.#admit(event.batch);
        return;
      case 'scheduler.restore':
        this.#restore(event.states, event.options);
        return;
      case 'scheduler.pump':
        this.#pump();
        return;
      case 'scheduler.execute':
        this.#execute(event.id);
        return;
      case 'scheduler.cancel':
        this.#cancel(event.id, event.reason);
        return;
      case 'scheduler.priority':
        this.#changePriority(event.id, event.priority);
        return;
      case 'scheduler.pause':
        this.#setPaused(true);
        return;
      case 'scheduler.resume':
        this.#setPaused(false);
        return;
      case 'scheduler.stop':
        this.#stopAll(event.reason);
        return;
      default:
        if (event.type.startsWith(DONE_PREFIX)) this.#finish(event.type.slice(DONE_PREFIX.length));
        else if (event.type.startsWith(ERROR_PREFIX)) {
          this.#crash(event.type.slice(ERROR_PREFIX.length), (event as { error?: unknown }).error);
        }
    }
  }

  // ---------------------------------------------------------------- what the facade asks

  get isPaused(): boolean {
    return this.#paused;
  }

  get isStopped(): boolean {
    return this.#stopped;
  }

  /** The store write that failed, once one has: the scheduler is halted. */
  get failure(): TaskStoreError | undefined {
    return this.#failure;
  }

  /**
   * The store cannot write: fail-stop. Nothing more dispatches, what was queued to be seen (work
   * starts, events, waiters) is dropped (it followed from transitions the store does not hold),
   * every waiter rejects with `failure`, and the `error` event reports it. Running work goes on
   * until `stop()`; the store keeps what was committed, which is what a resume finds.
   */
  halt(failure: TaskStoreError): void {
    if (this.#failure !== undefined) return;
    this.#failure = failure;
    this.#deadlines.stop();
    this.#outbox.halt(failure);
    this.#waiters.fail(failure);
  }

  /** The error the last event met that its caller must throw (once), if any. */
  takeCallerError(): unknown {
    const error = this.#callerError;
    this.#callerError = undefined;
    return error;
  }

  /** Tasks that have not reached a final state. */
  get live(): number {
    return this.#registry.live;
  }

  /** Tasks the policy's queue holds. */
  get queuedSize(): number {
    return this.#readyQueue.size;
  }

  /** Runs what the last steps left to do (work starts, listeners, waiters), in order. */
  flush(): void {
    this.#outbox.flush();
  }

  /** Reports a failure around the scheduler (a store, a bug of ours) on the `error` event. */
  reportError(error: SchedulerError): void {
    this.#outbox.reportError(error);
  }

  /** A scheduleTask(s) call is on the stack: dispatch waits for a microtask until it returns. */
  beginSchedule(): void {
    this.#scheduleDepth++;
  }

  endSchedule(): void {
    this.#scheduleDepth--;
  }

  /**
   * With a journal, scheduling a task its store already holds "ensures" it (see
   * {@link resubmittedTasks}); a recovered task gets its `run` back. Returns the tasks that are new.
   */
  resubmitted(batch: readonly NormalizedTask[], single: boolean): readonly NormalizedTask[] {
    const journal = this.#settings.journal;
    if (journal === undefined) return batch;
    const { fresh, rerun, idempotent, identified } = resubmittedTasks(journal, (id) => this.#registry.entries.get(id), batch, single);
    for (const [entry, run] of rerun) entry.run = run;
    // A store keeps no `idempotent`: the spec given again says it (speculate may back the task up).
    for (const entry of idempotent) entry.idempotent = true;
    // Nor what the history knows the task by: given back, the task is planned with what the
    // history learned (unless it declared an estimate), held to its memory limit, and taught to it.
    for (const [entry, task] of identified) {
      entry.runs = task.runs;
      entry.enforceMemory = task.enforceMemory;
      if (entry.estimateSource === 'declared' || task.plannedEstimateMs === entry.estimateMs) continue;
      entry.estimateMs = task.plannedEstimateMs;
      entry.estimateSource = task.estimateSource;
      if (entry.queued) this.#queue.send({ type: 'queue.update', task: entry });
    }
    // An attempt adopted before its spec came back was watched without either: watched now.
    if (this.#speculation !== undefined) {
      for (const entry of [...idempotent, ...identified.map(([each]) => each)]) {
        if (statusOf(entry) === 'running' && entry.startedAt !== undefined) this.#speculation.rewatch(entry, attemptsOf(entry));
      }
    }
    return fresh;
  }

  /**
   * Checks a normalized batch against the registry and the graph: a duplicate id, an unknown
   * dependency, a cycle or a chain too deep throws, and nothing changes.
   */
  check(batch: readonly NormalizedTask[], list = 'tasks'): void {
    // An id dropped from the records may be used again, and must then be unknown everywhere.
    this.#registry.flushForgotten();
    const error = checkBatch(batch, (id) => this.#registry.entries.has(id), this.#dag, this.#settings.maxDependencyDepth, list);
    if (error) throw error;
  }

  /**
   * The children of a spawn that are new: one an earlier attempt of the same parent spawned (a run
   * resumed after a crash ran the work again) is there already, and is not spawned twice.
   */
  unspawned(batch: readonly NormalizedTask[]): readonly NormalizedTask[] {
    return batch.filter((task) => {
      const existing = this.#registry.entries.get(task.id);
      return existing === undefined || existing.parent !== task.parent;
    });
  }

  /**
   * Throws a TaskSchedulingError when attempt `attempt` of `parentId` may not spawn `batch`
   * (see {@link spawnProblem}); nothing changes either way.
   */
  checkSpawn(parentId: string, attempt: number, batch: readonly NormalizedTask[]): void {
    const problem = spawnProblem(
      {
        taskOf: (id) => {
          const entry = this.#registry.entries.get(id);
          return entry && { status: statusOf(entry), attempts: attemptsOf(entry), family: entry.family, parent: entry.parent };
        },
        dependentsOf: (id) => this.#dag.dependentsOf(id),
      },
      parentId,
      attempt,
      batch,
      this.#settings.maxChildren,
    );
    if (problem !== undefined) throw new TaskSchedulingError(problem.message, problem.field);
  }

  /** The attempts a stop cuts short are handed back: the journal says so (they were not the work's fault). */
  recordStopped(at: number): void {
    const journal = this.#settings.journal;
    if (journal === undefined) return;
    for (const entry of this.#running) journal.record({ kind: 'stopped', id: entry.id, at, attempt: attemptsOf(entry) });
  }

  has(id: string): boolean {
    return this.#registry.entries.has(id);
  }

  ids(): string[] {
    return [...this.#registry.entries.keys()];
  }

  /** A task's record; a TaskSchedulingError names an unknown id. */
  record(id: string): TaskRecord {
    return toRecord(this.#registry.require(id));
  }

  /** Resolves with a task's final record, whatever the outcome. */
  waitFor(id: string): Promise<TaskRecord> {
    const entry = this.#registry.require(id);
    // Halted on a store failure: what the scheduler holds may not be what the store holds.
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (entry.output !== undefined) return Promise.resolve(toRecord(entry));
    return this.#waiters.forTask(id);
  }

  onIdle(): Promise<void> {
    return this.#waiters.forIdle();
  }

  /** Up to `limit` queued tasks in dispatch order, as plain copies. */
  queue(limit: number): QueuedTask[] {
    const queue = this.#readyQueue.ordered(limit).map(toQueuedTask);
    this.#outbox.flush(); // a queue that threw is repaired, and its tasks fail, before anyone asks again
    return queue;
  }

  /** Why a task is not running: {@link explainTask} over the queue, pools and workers. */
  explain(id: string): TaskExplanation {
    const entry = this.#registry.require(id);
    const status = statusOf(entry);
    const pendingReason = pendingReasonOf(entry);
    const queue = this.#readyQueue;
    const ledger = this.#ledger;
    return explainTask({
      id: entry.id,
      status,
      pendingReason,
      attempts: attemptsOf(entry),
      resources: entry.resources,
      isQueued: entry.queued,
      waitingOn: status === 'pending' ? this.#dag.waitingOn(entry.id) : [],
      ordered: () => queue.ordered(queue.size),
      free: (name) => ledger.free(name),
      workersBusy: this.#slots.free <= 0,
      paused: this.#paused,
      placement: pendingReason === 'dispatched' ? this.#settings.executor.explain?.(entry.id, attemptsOf(entry)) : undefined,
      children: entry.family && { kind: entry.family.kind, total: entry.family.children.length, open: entry.family.open },
      backup: entry.backup?.outcome === 'running' ? { ...entry.backup, now: this.#settings.clock.now() } : undefined,
    });
  }

  /**
   * Counts by status, workers and per pool `{ capacity, used, reserved }`. O(pools): the dashboard
   * asks on every tick, and the scheduler may hold 300k tasks.
   */
  stats(): SchedulerStats {
    const ledger = this.#ledger;
    const reserved = this.#pool.getSnapshot().context.reserved;
    const resources: Record<string, ResourceUsage> = {};
    for (const name of ledger.names()) {
      // What the waiting tasks hold back is at most what is free: used + reserved <= capacity.
      const held = Math.min(ledger.free(name), reserved.get(name) ?? 0);
      resources[name] = { capacity: ledger.capacity(name), used: ledger.used(name), reserved: held };
    }
    const counts = this.#registry.counts;
    // Every attempt holding a slot is running or dispatched (recovered ones included).
    const dispatched = this.#running.size - counts.running;
    const backups = this.#speculation?.running ?? 0;
    return { ...counts, dispatched, queued: this.#queuedCount, backups, maxWorkers: this.#settings.maxWorkers, paused: this.#paused, resources };
  }

  /**
   * True while a task's priority can still change: it is pending and not dispatched (a dispatched
   * task's job is handed out: as for one that started, nothing would change).
   */
  acceptsPriority(id: string): boolean {
    const entry = this.#registry.require(id);
    return statusOf(entry) === 'pending' && pendingReasonOf(entry) !== 'dispatched';
  }

  /** True if `executeTask` would start the task now: ready, a worker free, its resources free. */
  canExecute(id: string): boolean {
    const entry = this.#registry.require(id);
    if (!entry.queued || this.#stopped || this.#failure !== undefined) return false;
    return this.#slots.free > 0 && this.#ledger.fits(entry.resources);
  }

  // ---------------------------------------------------------------- the helper actors' state

  get #ledger() {
    return this.#pool.getSnapshot().context.ledger;
  }

  get #dag() {
    return this.#graph.getSnapshot().context.dag;
  }

  get #readyQueue() {
    return this.#queue.getSnapshot().context;
  }

  // ---------------------------------------------------------------- admission

  /**
   * Adds a checked batch: recorded in the journal as one first (a store that cannot write throws,
   * and nothing of the batch is added), then an entry and a task machine per task, then the ready
   * ones queued with one event.
   */
  #admit(batch: readonly NormalizedTask[]): void {
    const { clock, dependencyTimeoutMs } = this.#settings;
    const now = clock.now();
    const dag = this.#dag;
    const created: TaskEntry[] = [];
    for (const task of batch) {
      // Ready when every dependency completed already, as the graph will say once it has the batch.
      const waiting = task.dependencies.length > 0 && task.dependencies.some((id) => dag.outcomeOf(id) !== 'completed');
      const entry: TaskEntry = {
        id: task.id,
        name: task.name,
        type: task.type,
        priority: task.priority,
        seq: this.#seq++,
        retry: task.retry,
        dependencies: task.dependencies,
        resources: task.resources,
        hasResources: Object.keys(task.resources).length > 0,
        group: task.group,
        estimateMs: task.plannedEstimateMs,
        estimateSource: task.estimateSource,
        runs: task.runs,
        enforceMemory: task.enforceMemory,
        config: task.config,
        run: task.run,
        timeoutMs: task.timeoutMs,
        createdAt: now,
        dependencyDeadline: waiting && dependencyTimeoutMs > 0 ? now + dependencyTimeoutMs : undefined,
        readyAt: waiting ? Number.NaN : now,
        startedAt: undefined,
        completedAt: undefined,
        parent: task.parent,
        idempotent: task.idempotent,
        ...UNSTARTED,
        cache: task.cache,
      };
      if (task.race !== undefined) entry.family = newFamily('race');
      created.push(entry);
    }
    const journal = this.#settings.journal;
    if (journal !== undefined) {
      journal.addTasks(created.map((entry, i) => toStoredTask(entry, batch[i] as NormalizedTask)));
      // A store infers a new task waits when it has dependencies; these were done already.
      for (const entry of created) {
        if (entry.dependencies.length > 0 && !Number.isNaN(entry.readyAt)) journal.record({ kind: 'ready', id: entry.id, at: entry.readyAt });
      }
    }
    this.#graph.send({ type: 'graph.add', batch });
    for (const entry of created) {
      this.#registry.add(entry);
      // A running backup copy under this id would share the task's executor key.
      this.#speculation?.giveWay(entry.id);
      this.#actors.admit(entry, Number.isNaN(entry.readyAt) ? 'dependencies' : 'queued');
      if (entry.parent !== undefined) this.#joinFamily(entry);
    }
    this.#waiters.busy();
    for (const entry of created) this.#outbox.emit('task:scheduled', () => ({ task: toRecord(entry) }));
    // Only now is the whole batch known, so policies that rank by the graph see all of it.
    const ready: TaskEntry[] = [];
    for (const entry of created) {
      const upstream = Number.isNaN(entry.readyAt) ? abandonedUpstream(entry.dependencies, this.#outcomeOf) : undefined;
      if (upstream) this.#actors.send(entry, dependentEvent(entry.id, upstream));
      else if (Number.isNaN(entry.readyAt)) {
        if (entry.dependencyDeadline !== undefined) this.#deadlines.arm(entry.id);
      } else ready.push(entry);
    }
    this.#enqueue(ready);
    this.#pumpLater();
  }

  /**
   * Rebuilds a run from its store (inside the scheduler actor, before any new task): finished tasks
   * come back as records with their status, result and error; pending ones get a task machine in the
   * state they were in (waiting for dependencies, queued with their priority and submission order,
   * or in backoff until their stored retry deadline); an attempt that was running is handed to the
   * executor's `adopt`. One whose work is gone with the last scheduler (the inline executor's
   * always; a distributed job no node holds) is interrupted: journaled `interrupted`, and its task
   * queued again without using a retry while its interruptions stay within its `maxInterruptions`,
   * else failed with an AttemptInterruptedError naming the count. An attempt the last scheduler's
   * `stop()` stopped was handed back: its task is queued again, with one more attempt allowed for
   * each one handed back (as for each interruption). Dependency deadlines keep their stored times,
   * and an adopted attempt's timeout its stored start. Deadlines are re-armed
   * here: XState restores neither `after` delays nor entry actions.
   */
  #restore(states: readonly StoredTaskState[], options: RestoreOptions): void {
    const dropped = droppedRecords(states, this.#settings.maxFinishedRecords);
    const kept = dropped.size === 0 ? states : states.filter((state) => !dropped.has(state.task.id));
    const ids = new Set(kept.map((state) => state.task.id));
    // A dependency the store forgot (or whose record is dropped) had completed: had it failed, its
    // dependents would have too (and their dependencies are never dropped, see droppedRecords).
    this.#graph.send({ type: 'graph.add', batch: kept.map(({ task }) => ({ id: task.id, dependencies: task.dependencies.filter((id) => ids.has(id)) })) });
    for (const { task, status } of kept) {
      if (status === 'completed') this.#graph.send({ type: 'graph.completed', id: task.id });
      else if (status === 'failed' || status === 'cancelled') this.#graph.send({ type: 'graph.abandoned', id: task.id, outcome: status });
    }
    const interrupted: TaskEntry[] = [];
    /** Each interrupted entry's budget: the interruptions stored before this one, and the most allowed. */
    const budgets = new Map<TaskEntry, InterruptionBudget>();
    const unrecoverable: TaskEntry[] = [];
    const waiting: TaskEntry[] = [];
    const ready: TaskEntry[] = [];
    const stopped: { id: string; attempt: number }[] = [];
    const finished = { completed: 0, failed: 0, cancelled: 0 };
    /** Children (in the store's order, which is their spawn order), and parents that wait for them. */
    const children: TaskEntry[] = [];
    const waitingForChildren: TaskEntry[] = [];
    for (const state of states) {
      const { task } = state;
      this.#seq = Math.max(this.#seq, task.seq + 1);
      if (dropped.has(task.id)) {
        // Counted as finished, as a record the registry dropped is; never built.
        this.#registry.countDropped(state.status as FinalStatus);
        finished[state.status as 'completed']++;
        continue;
      }
      // A race's work is its alternatives: nothing to find.
      const handler = task.race !== undefined ? RACE_HAS_NO_WORK : Object.hasOwn(options.handlers, task.type) ? options.handlers[task.type] : undefined;
      const entry = toEntry(state, handler ?? MISSING_WORK);
      if (task.race !== undefined) entry.family = newFamily('race');
      if (entry.parent !== undefined) children.push(entry);
      if (state.status === 'completed' || state.status === 'failed' || state.status === 'cancelled') {
        finished[state.status]++;
        this.#registry.addFinished(entry, state.status);
        continue;
      }
      this.#registry.add(entry);
      if (handler === undefined) unrecoverable.push(entry);
      // Its last step handed its attempt back (stores/wasStopped, read here through the interface only).
      if (state.status === 'pending' && state.attempt > 0 && state.startedAt === undefined) stopped.push({ id: entry.id, attempt: state.attempt });
      let value: 'running' | 'dispatched' | 'backoff' | 'queued' | 'dependencies' | 'children';
      if (state.pendingReason === 'children') {
        value = 'children';
        waitingForChildren.push(entry);
      } else if (state.status === 'running') {
        // An attempt whose executor reports activity and that was not reported active still waited
        // for a worker: it is adopted as dispatched, and becomes active when its executor says so.
        const isDispatched = this.#settings.executor.reportsActive === true && state.activeAt === undefined;
        value = isDispatched ? 'dispatched' : 'running';
        if (isDispatched) entry.startedAt = undefined;
        interrupted.push(entry);
        budgets.set(entry, { before: state.interruptedAttempts, max: task.maxInterruptions ?? options.maxInterruptions });
      } else if (state.pendingReason === 'backoff' && state.retryAt !== undefined) {
        value = 'backoff';
        this.#armDeadline(entry, Math.max(0, state.retryAt - this.#settings.clock.now()), TASK_RETRY);
      } else if (this.#dag.isReady(entry.id)) {
        value = 'queued';
        if (Number.isNaN(entry.readyAt)) entry.readyAt = this.#settings.clock.now();
        ready.push(entry);
      } else {
        value = 'dependencies';
        waiting.push(entry);
      }
      // An interrupted attempt holds its worker slot before its actor exists: an inspector that
      // sees the actor running finds the slot on its record.
      if (value === 'running' || value === 'dispatched') this.#holdRun(entry, value === 'running');
      // A waiting task that never ran is admitted as a new one is (it may stay dormant); others get
      // their actor as stored, with their attempts and last error.
      const error = fromStoredError(state.error);
      if ((value === 'queued' || value === 'dependencies') && state.attempt === 0 && error === undefined) this.#actors.admit(entry, value);
      // A parent waiting for its children keeps its work's result.
      else this.#actors.restoreActor(entry, value === 'running' ? value : { pending: value }, state.attempt, error, value === 'children' ? state.result : undefined);
    }
    if (this.#registry.live > 0) this.#waiters.busy();
    for (const child of children) this.#joinFamily(child);
    for (const parent of waitingForChildren) (parent.family ??= newFamily('spawn')).waited = true;
    for (const entry of waiting) {
      const upstream = abandonedUpstream(entry.dependencies, this.#outcomeOf);
      if (upstream) this.#actors.send(entry, dependentEvent(entry.id, upstream));
      else if (entry.dependencyDeadline !== undefined) this.#deadlines.arm(entry.id);
    }
    this.#enqueue(ready);
    for (const parent of waitingForChildren) this.#settleRestoredWait(parent);
    this.#pumpLater();
    // After the caller's synchronous code (which may schedule the tasks again with their `run`),
    // and before the first dispatch pass: both were queued in this order.
    queueMicrotask(() => {
      for (const entry of interrupted) this.#adopt(entry, budgets.get(entry) as InterruptionBudget);
      const lost = unrecoverable.filter((entry) => entry.run === MISSING_WORK && isLive(entry));
      for (const entry of lost) this.#actors.send(entry, { type: 'task.upstreamFailed', error: new TaskNotRecoverableError(entry.id, entry.type) });
      this.#outbox.flush();
      options.onRestored({
        tasks: states.length,
        finished,
        pending: states.length - finished.completed - finished.failed - finished.cancelled - interrupted.length,
        interrupted: interrupted.map((entry) => ({ id: entry.id, attempt: attemptsOf(entry) })),
        stopped,
        unrecoverable: lost.map((entry) => entry.id),
      });
    });
  }

  /** A recovered attempt (running, or dispatched) holds its worker slot and resources until its outcome arrives. */
  #holdRun(entry: TaskEntry, isActive: boolean): void {
    if (isActive) this.#registry.attemptActive();
    this.#running.add(entry);
    entry.slot = this.#slots.take();
    if (entry.hasResources && this.#ledger.fits(entry.resources)) this.#pool.send({ type: 'pool.allocate', owner: entry.id, request: entry.resources });
    try {
      this.#settings.policy.onStart?.call(this.#settings.policy, entry);
    } catch {
      // Accounting only: the attempt is recovered whatever the policy thinks of it.
    }
  }

  /**
   * A recovered attempt's work is gone with the last scheduler: journaled `interrupted`; the task
   * waits again without using a retry while within its budget, else fails naming the count.
   */
  #interrupt(entry: TaskEntry, attempt: number, budget: InterruptionBudget): void {
    // Ended meanwhile (cancelled by the caller before adoption): nothing was interrupted.
    if (!isLive(entry) || attemptsOf(entry) !== attempt) return;
    const interruptions = budget.before + 1;
    const isWithin = interruptions <= budget.max;
    this.#settings.journal?.record({ kind: 'interrupted', id: entry.id, at: this.#settings.clock.now(), attempt });
    // The record's budget, as the machine's grows (one more run for the attempt handed back).
    if (isWithin) entry.retry = { ...entry.retry, attempts: entry.retry.attempts + 1 };
    const error = new AttemptInterruptedError(entry.id, attempt, isWithin ? undefined : { interruptions, maxInterruptions: budget.max });
    this.#actors.send(entry, { type: 'task.interrupted', attempt, interruptions, maxInterruptions: budget.max, error });
    this.#outbox.flush();
  }

  /** Hands a recovered running attempt to the executor, or counts it interrupted (an executor that cannot adopt). */
  #adopt(entry: TaskEntry, budget: InterruptionBudget): void {
    const { executor } = this.#settings;
    const attempt = attemptsOf(entry);
    if (executor.adopt === undefined) {
      this.#interrupt(entry, attempt, budget);
      return;
    }
    // Its time counts from its stored start, as a live attempt's does from its start (a dispatched
    // one has none yet: its time starts when it becomes active). Armed first: an outcome the
    // executor gives at once ends the attempt, and with it this deadline.
    if (entry.timeoutMs > 0 && entry.startedAt !== undefined) {
      const dueIn = Math.max(0, entry.startedAt + entry.timeoutMs - this.#settings.clock.now());
      this.#armDeadline(entry, dueIn, { type: 'task.timeout', attempt });
    }
    // Watched from its stored start too: an adopted straggler may be backed up (speculate).
    if (entry.startedAt !== undefined) this.#speculation?.watch(entry, attempt);
    executor.adopt(new AttemptHandle(this.#reporter, entry, attempt), (taskId, reported, outcome) => {
      if (reported === attempt && isLostWithScheduler(outcome)) this.#interrupt(entry, attempt, budget);
      else this.#deliver(taskId, reported, outcome);
    });
  }

  // ---------------------------------------------------------------- the ready queue

  /** Puts ready tasks in the queue with one event for the lot (a batch may hold 300k). */
  #enqueue(given: readonly TaskEntry[]): void {
    // A race takes no worker: ready, it waits for its alternatives (admitted with it) instead.
    const ready = given.some(isRace) ? this.#startRaces(given) : given;
    // With a history, a cacheable task whose key has an entry completes instead (see askHistory).
    const entries = this.#history === undefined || ready.length === 0 ? ready : askHistory(this.#history, ready);
    if (entries.length === 0) return;
    for (const entry of entries) {
      if (!entry.queued) this.#queuedCount++;
      entry.queued = true;
    }
    this.#queue.send({ type: 'queue.push', tasks: entries });
    if (this.#paused) for (const entry of entries) this.#actors.send(entry, TASK_PAUSE);
  }

  /** The races among `ready` start (journaled `awaiting`, so a resumed run waits again); the others are returned. */
  #startRaces(ready: readonly TaskEntry[]): TaskEntry[] {
    const others: TaskEntry[] = [];
    for (const entry of ready) {
      if (!isRace(entry)) {
        others.push(entry);
        continue;
      }
      this.#settings.journal?.record({ kind: 'awaiting', id: entry.id, at: this.#settings.clock.now(), attempt: 0, result: undefined });
      this.#actors.send(entry, TASK_RACE);
    }
    return others;
  }

  #dequeue(entry: TaskEntry): void {
    if (!entry.queued) return;
    entry.queued = false;
    this.#queuedCount--;
    this.#queue.send({ type: 'queue.remove', id: entry.id });
  }

  // ---------------------------------------------------------------- dispatch

  /**
   * Asks for a pump in a microtask, as the scheduler actor's `scheduler.pump` event (once, however
   * often asked before it runs). Work never starts inside scheduleTask: the first pump after it
   * runs in a microtask.
   */
  #pumpLater(): void {
    if (this.#pumpScheduled || !this.#settings.autoStart) return;
    this.#pumpScheduled = true;
    queueMicrotask(this.#sendPumpEvent);
  }

  /** The microtask of `#pumpLater`: one function for the scheduler's life. */
  readonly #sendPumpEvent = (): void => {
    this.#self.send(SCHEDULER_PUMP);
    this.#outbox.flush();
  };

  /** The dispatch loop: applies {@link nextDispatch}'s decisions until one is not `start`. */
  #pump(): void {
    this.#pumpScheduled = false;
    if (this.#paused || this.#stopped || this.#failure !== undefined || !this.#settings.autoStart) {
      // Nothing dispatches, so nothing is held back for anyone: stats must not show reservations.
      if (this.#pool.getSnapshot().context.reserved.size > 0) this.#pool.send({ type: 'pool.reserve', amounts: NO_RESERVATIONS });
      this.#waiters.check();
      return;
    }
    let reserved = NO_RESERVATIONS;
    // One view for the scheduler's life: its getters are live (a view per pump was 1% of a run).
    const view = (this.#view ??= this.#dispatchView());
    // The tasks one pump dispatches start at one time: the pump's. Stamped after each start,
    // a task would start later by the cost of starting those before it (a cold actor, a busy
    // machine), a lag its own attempt never had.
    const now = this.#settings.clock.now();
    for (;;) {
      const decision = nextDispatch(view);
      if (decision.kind === 'idle') break;
      if (decision.kind === 'wait') {
        for (const task of decision.blocked) this.#markBlocked(task);
        reserved = decision.reserved;
        break;
      }
      for (const task of decision.passedOver) this.#markBlocked(task);
      this.#dispatch(decision.task, now);
    }
    // Workers the queue left free back up stragglers (speculate), unless the policy holds them.
    if (this.#speculation !== undefined && !this.#readyQueue.isHolding) this.#speculation.fill(reserved);
    if (reserved.size > 0 || this.#pool.getSnapshot().context.reserved.size > 0) {
      this.#pool.send({ type: 'pool.reserve', amounts: reserved });
    }
    this.#waiters.check();
  }

  /**
   * The supervisor as {@link nextDispatch} reads it: live getters, so one view serves a whole pump
   * while tasks start.
   */
  #dispatchView(): DispatchView<TaskEntry> {
    const self = this;
    const queue = this.#readyQueue;
    const ledger = this.#ledger;
    const entryOf = (task: QueuedTask | undefined): TaskEntry | undefined => {
      const entry = task === undefined ? undefined : this.#registry.entries.get(task.id);
      return entry?.queued ? entry : undefined;
    };
    return {
      get freeWorkers() {
        return self.#slots.free;
      },
      // By id: a custom queue hands back what it holds, and only the registry's entry is ours.
      head: () => {
        // A policy may hold the free workers while something runs: its end pumps again.
        if (this.#running.size > 0 && queue.isHolding) return undefined;
        const task = queue.peek();
        const entry = entryOf(task);
        if (entry === undefined && !this.#guardedQueue.hasFailures && (task !== undefined || this.#queuedCount > 0)) {
          // A queue that answers wrongly without throwing would stall dispatch for good.
          const wrong = task === undefined ? `nothing while ${this.#queuedCount} task(s) are queued` : `task "${task.id}", which is not queued`;
          this.#guardedQueue.fault('peek', undefined, new Error(`peek() returned ${wrong}`));
        }
        return entry;
      },
      ordered: (limit) => queue.ordered(limit).flatMap((task) => entryOf(task) ?? []),
      free: (name) => ledger.free(name),
      backfill: this.#settings.policy.backfill === true,
      get now() {
        return self.#settings.clock.now();
      },
      running: () => this.#runningWithResources(),
    };
  }

  *#runningWithResources(): Iterable<RunningEstimate> {
    for (const entry of this.#running) if (entry.hasResources) yield entry;
  }

  /** A task the dispatcher set aside for lack of resources waits in `pending.resources`. */
  #markBlocked(entry: TaskEntry): void {
    if (pendingReasonOf(entry) === 'queued') this.#actors.send(entry, TASK_BLOCK);
  }

  /** Takes a queued task out of the queue, gives it a slot and its resources, and starts it at `at`. */
  #dispatch(entry: TaskEntry, at = this.#settings.clock.now()): void {
    this.#dequeue(entry);
    if (entry.hasResources) this.#pool.send({ type: 'pool.allocate', owner: entry.id, request: entry.resources });
    this.#running.add(entry);
    entry.slot = this.#slots.take();
    const { policy } = this.#settings;
    if (policy.onStart) {
      try {
        policy.onStart.call(policy, entry);
      } catch (error) {
        // The task never starts: give back what it took, and it fails with the policy's error.
        this.#unassign(entry);
        this.#reject(entry, new PolicyError(policy.name, 'onStart', entry.id, error));
        return;
      }
    }
    this.#queueStrikes = 0;
    entry.startedAt = at;
    // It starts running (or, with an executor that reports activity, waits for it).
    this.#actors.send(entry, this.#startEvent);
  }

  /** Gives back what dispatch assigned to a running (or just dispatched) task: its worker slot and resources. */
  #unassign(entry: TaskEntry): void {
    if (!this.#running.delete(entry)) return;
    if (entry.slot !== undefined) this.#slots.give(entry.slot);
    entry.slot = undefined;
    if (entry.hasResources) this.#pool.send({ type: 'pool.release', owner: entry.id });
  }

  // ---------------------------------------------------------------- control

  #setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    // Every queued task moves into `pending.paused`, or back to `pending.queued`.
    for (const entry of this.#registry.entries.values()) {
      if (entry.queued) this.#actors.send(entry, paused ? TASK_PAUSE : TASK_RESUME);
    }
    this.#settings.executor.setPaused?.(paused);
    this.#pumpLater();
  }

  /** Cancels everything live and refuses further work; no timer of ours stays armed. */
  #stopAll(reason: string): void {
    this.#stopped = true;
    this.#deadlines.stop();
    for (const entry of [...this.#registry.entries.values()]) {
      if (isLive(entry)) this.#actors.send(entry, { type: 'task.cancel', reason });
    }
  }

  /** Cancels a live task (its actor decides what that means in its state). */
  #cancel(id: string, reason: string): void {
    const entry = this.#registry.require(id);
    if (isLive(entry)) this.#actors.send(entry, { type: 'task.cancel', reason });
  }

  /** Changes a pending task's priority: the one queue entry moves (never a copy left behind). */
  #changePriority(id: string, priority: TaskPriority): void {
    if (!this.acceptsPriority(id)) return;
    const entry = this.#registry.require(id);
    entry.priority = priority;
    this.#settings.journal?.record({ kind: 'priority', id, at: this.#settings.clock.now(), priority });
    if (entry.queued) this.#queue.send({ type: 'queue.update', task: entry });
    this.#pumpLater();
  }

  /** Starts a ready task now, out of queue order (a paused one too); nothing unless {@link canExecute}. */
  #execute(id: string): void {
    if (!this.canExecute(id)) return;
    const entry = this.#registry.require(id);
    if (pendingReasonOf(entry) === 'paused') this.#actors.send(entry, TASK_RESUME);
    this.#dispatch(entry);
  }

  /** The executor put an attempt on a node: the record says where, and so does `task:placed`. */
  #placed(entry: TaskEntry, attempt: number, node: string): void {
    if (entry.output !== undefined || attemptsOf(entry) !== attempt) return;
    entry.node = node;
    this.#outbox.emit('task:placed', () => ({ task: toRecord(entry), attempt, node }));
    this.#outbox.flush();
  }

  /**
   * The executor says an attempt's work is active (a worker took its job): its task machine moves
   * from `pending.dispatched` to `running`; for a late attempt, or one already active, nothing changes.
   */
  #active(entry: TaskEntry, attempt: number): void {
    if (!isLive(entry) || attemptsOf(entry) !== attempt) return;
    this.#actors.send(entry, { type: 'task.active', attempt });
    this.#outbox.flush();
  }

  #expireDependencyWait(id: string): void {
    const entry = this.#registry.entries.get(id);
    if (entry === undefined || !isLive(entry)) return;
    const error = new DependencyTimeoutError(id, this.#settings.dependencyTimeoutMs, this.#dag.waitingOn(id));
    this.#actors.send(entry, { type: 'task.upstreamFailed', error });
  }

  // ---------------------------------------------------------------- deadlines

  /**
   * Arms a task's one deadline (its attempt's timeout, or its retry delay): `event` reaches the
   * task after `ms`, unless the deadline is disarmed or another is armed first.
   */
  #armDeadline(entry: TaskEntry, ms: number, event: TaskMachineEvent): void {
    const { clock } = this.#settings;
    this.#disarm(entry);
    entry.deadline = clock.setTimeout(() => {
      entry.deadline = undefined;
      this.#actors.send(entry, event);
    }, ms);
  }

  #disarm(entry: TaskEntry): void {
    if (entry.deadline === undefined) return;
    this.#settings.clock.clearTimeout(entry.deadline);
    entry.deadline = undefined;
  }

  // ---------------------------------------------------------------- the machine's effects

  /** How a task ended, as the graph knows it (for {@link abandonedUpstream}); one function for the scheduler's life. */
  readonly #outcomeOf = (id: string): string | undefined => this.#dag.outcomeOf(id);

  /** A pending task fails without running (a policy threw about it). */
  #reject(entry: TaskEntry, error: PolicyError): void {
    this.#outbox.reportError(error);
    this.#actors.send(entry, { type: 'task.upstreamFailed', error });
  }

  /**
   * An attempt takes its worker: its work goes to the executor, and the journal says it started
   * (a restarted scheduler adopts it, active or not). Active at once, or when the executor says.
   */
  #startAttempt(context: TaskMachineContext, isActive: boolean): void {
    const { id, attempt } = context;
    const entry = this.#registry.entries.get(id);
    if (entry === undefined) return;
    // `startedAt` is the dispatch's time, set by the supervisor before it sent the start.
    this.#settings.journal?.record({ kind: 'started', id, at: entry.startedAt ?? this.#settings.clock.now(), attempt });
    if (isActive) this.#begin(entry, context);
    // Not started until its work is active (an earlier attempt's start is not this one's).
    else entry.startedAt = undefined;
    const executor = this.#settings.executor;
    this.#outbox.push(() => {
      try {
        executor.start(new AttemptHandle(this.#reporter, entry, attempt), this.#deliver);
      } catch (error) {
        // An executor that cannot take the attempt fails it, as if the work had thrown.
        this.#deliver(id, attempt, { ok: false, error: toError(error) });
      }
    });
  }

  /** A dispatched attempt's work is active: it starts now, and its time counts from now. */
  #activate(context: TaskMachineContext): void {
    const { id, attempt } = context;
    const entry = this.#registry.entries.get(id);
    if (entry === undefined) return;
    entry.startedAt = this.#settings.clock.now();
    this.#settings.journal?.record({ kind: 'active', id, at: entry.startedAt, attempt });
    this.#begin(entry, context);
  }

  /** The attempt runs: counted, announced, and its deadline armed. */
  #begin(entry: TaskEntry, context: TaskMachineContext): void {
    const { attempt } = context;
    // Armed before it is counted as running: a clock that throws here (inside the actor's
    // transition, see #crash) leaves no count behind.
    if (entry.timeoutMs > 0) this.#armDeadline(entry, entry.timeoutMs, { type: 'task.timeout', attempt });
    this.#registry.attemptActive();
    this.#speculation?.watch(entry, attempt);
    this.#outbox.emit('task:started', () => ({ task: toRecord(entry, RUNNING, context), attempt }));
  }

  /** Where the executor reports outcomes: by id and attempt, so a late one changes nothing. */
  readonly #deliver = (taskId: string, attempt: number, given: AttemptOutcome): void => {
    // Children a remote attempt spawned are scheduled first: a refusal fails the attempt.
    const outcome = given.ok && given.spawned !== undefined ? this.#withChildren(taskId, attempt, given) : given;
    const entry = this.#registry.entries.get(taskId);
    // Measured where the work ran (a remote worker): this attempt's, unless a late one's.
    if (outcome.usage !== undefined && entry !== undefined && entry.output === undefined && attemptsOf(entry) === attempt) entry.measured = outcome.usage;
    const ref = entry?.ref;
    // A late outcome (after cancel, timeout or a newer attempt) reaches a stopped actor or
    // fails the machine's attempt guard: either way it changes nothing.
    if (ref !== undefined && ref.getSnapshot().status === 'active') {
      // Work that returned before its children completed: the task waits for them, holding nothing.
      if (!outcome.ok) ref.send({ type: 'task.fail', attempt, error: outcome.error, final: isFinalFailure(outcome.error) });
      else if ((entry?.family?.open ?? 0) > 0) ref.send({ type: 'task.awaitChildren', attempt, result: outcome.result });
      else ref.send({ type: 'task.succeed', attempt, result: outcome.result });
    }
    // Reported from inside an abort (an executor may report at once), the actors are mid-step:
    // what follows leaves with the flush of the call that aborted.
    if (this.#aborting > 0) return;
    // With a store, outcomes reported in one turn of the event loop share one commit (group
    // commit): their effects (the next starts among them) wait for it, as they always do.
    if (this.#settings.journal !== undefined) this.#outbox.flushSoon();
    else this.#outbox.flush();
  };

  /** Children a remote attempt spawned, scheduled now: the outcome as the work's, or the refusal as its failure. */
  #withChildren(taskId: string, attempt: number, outcome: AttemptOutcome & { ok: true }): AttemptOutcome {
    try {
      this.#settings.spawnChildren(taskId, attempt, outcome.spawned ?? []);
      return outcome;
    } catch (error) {
      return { ok: false, error: toError(error), ...(outcome.usage === undefined ? {} : { usage: outcome.usage }) };
    }
  }

  /** Calls the executor's `abort`; an outcome it reports at once is not flushed from inside. */
  #abort(id: string, attempt: number, reason: Error): void {
    this.#aborting++;
    try {
      this.#settings.executor.abort(id, attempt, reason);
    } finally {
      this.#aborting--;
    }
  }

  /** Aborts an attempt; the task ends as the machine decided (cancelled, timed out), and an executor's fault is reported. */
  #abortReported(id: string, attempt: number, reason: Error): void {
    try {
      this.#abort(id, attempt, reason);
    } catch (error) {
      this.#outbox.reportError(new SchedulerError('INTERNAL', `executor "${this.#settings.executor.name}" failed to abort task "${id}": ${toError(error).message}`, { cause: error }));
    }
  }

  /** An attempt ends (`wasActive`: it was running; else it was dispatched and never ran). */
  #endAttempt(id: string, attempt: number, event: { type: string; error?: unknown; result?: unknown }, wasActive: boolean): void {
    const entry = this.#registry.entries.get(id);
    if (entry === undefined) return;
    this.#disarm(entry);
    // A success's count moves from running to completed in #settle; any other end's stops running now.
    if (wasActive && event.type !== 'task.succeed') this.#registry.attemptEnded();
    this.#unassign(entry);
    // Its backup copy ends with it; when the backup won, the backup's run is the one measured.
    const backupStart = this.#speculation?.attemptEnded(entry, attempt, event.type === 'task.succeed');
    // After the release: a memory kill's raised request is what the retry asks of the pool.
    if (wasActive) noteAttemptUsage(this.#settings, entry, event, (error) => this.#outbox.reportError(error), backupStart);
    const { policy } = this.#settings;
    if (policy.onFinish) {
      try {
        policy.onFinish.call(policy, entry);
      } catch (error) {
        // The attempt has ended whatever the policy thinks of it: report, change no outcome.
        this.#outbox.reportError(new PolicyError(policy.name, 'onFinish', id, error));
      }
    }
    if (event.type === 'task.awaitChildren') {
      // Journaled: a resumed run waits for the children again and never runs this work again.
      this.#settings.journal?.record({ kind: 'awaiting', id, at: this.#settings.clock.now(), attempt, result: event.result });
      (entry.family as Family).waited = true;
      // It leaves running (not a pending reason that changed, which TaskActors.send hears): said here.
      this.#outbox.emit('task:waiting', () => ({ task: toRecord(entry, { status: 'pending', pendingReason: 'children' }) }));
    }
    const end = attemptEndOf(event.type);
    if (end.abort !== undefined) {
      const reason =
        end.abort === 'cancel'
          ? new TaskCancelledError(id, (event as { reason?: string }).reason ?? 'cancelled')
          : end.abort === 'upstream'
            ? toError(event.error)
            : new TaskTimeoutError(id, entry.timeoutMs);
      this.#abortReported(id, attempt, reason);
    }
    // A failed attempt that will be retried never reaches settle(): its slot must be used now.
    if (end.pumpNow) this.#pumpLater();
  }

  #requeue(id: string): void {
    const entry = this.#registry.entries.get(id);
    if (entry === undefined) return;
    this.#disarm(entry);
    entry.readyAt = this.#settings.clock.now();
    this.#settings.journal?.record({ kind: 'ready', id, at: entry.readyAt });
    this.#enqueue([entry]);
    this.#pumpLater();
  }

  #noteBackoff(context: TaskMachineContext, delayMs: number): void {
    const { id, attempt } = context;
    const entry = this.#registry.entries.get(id);
    if (entry === undefined) return;
    const cause = context.error ?? new Error('retry');
    const now = this.#settings.clock.now();
    this.#settings.journal?.record({ kind: 'retrying', id, at: now, attempt, retryAt: now + delayMs, error: toStoredError(cause) });
    this.#armDeadline(entry, delayMs, TASK_RETRY);
    this.#outbox.emit('task:retrying', () => ({ task: toRecord(entry, IN_BACKOFF, context), attempt, error: cause, delayMs }));
  }

  /** A dependency completed: a task that has none left joins the ready queue. */
  #unblock(id: string): void {
    const entry = this.#registry.entries.get(id);
    if (entry === undefined || !isLive(entry) || !Number.isNaN(entry.readyAt)) return;
    entry.readyAt = this.#settings.clock.now();
    this.#settings.journal?.record({ kind: 'ready', id, at: entry.readyAt });
    this.#actors.send(entry, TASK_READY);
    this.#enqueue([entry]);
  }

  // ---------------------------------------------------------------- the end

  /** The task's actor reached a final state: its output says which. */
  #finish(id: string): void {
    const entry = this.#registry.entries.get(id);
    // A dormant task that ended from waiting has no actor: its final snapshot says the same.
    const output = (entry?.ref?.getSnapshot() ?? entry?.dormant)?.output;
    if (entry === undefined || output === undefined) return;
    this.#settle(entry, output);
  }

  /**
   * A task actor failed inside its own transition (an effect threw): a bug, not the task's
   * failure, but the task must still end, give back its worker and resources, and say why.
   */
  #crash(id: string, cause: unknown): void {
    const entry = this.#registry.entries.get(id);
    if (entry?.ref === undefined || entry.output !== undefined) return;
    const error = new SchedulerError('INTERNAL', `task "${id}" failed inside the scheduler: ${toError(cause).message}`, { cause });
    if (this.#running.has(entry)) {
      // A dispatched attempt that never became active was never counted as running.
      if (statusOf(entry) === 'running') this.#registry.attemptEnded();
      this.#unassign(entry);
      this.#abort(id, attemptsOf(entry), error);
      this.#speculation?.attemptEnded(entry, attemptsOf(entry), false);
    }
    this.#outbox.reportError(error);
    this.#settle(entry, { status: 'failed', result: undefined, error, attempts: attemptsOf(entry), cancelReason: undefined });
  }

  // ---------------------------------------------------------------- families

  /** A child joins its parent's family (a spawn's, made with the first child; a race's, made with the race); a finished one counts as ended. */
  #joinFamily(child: TaskEntry): void {
    const parent = this.#registry.entries.get(child.parent as string);
    if (parent === undefined) return;
    const family = (parent.family ??= newFamily('spawn'));
    if (family.children.length === 0) this.#speculation?.spawned(parent);
    family.children.push(child.id);
    const output = child.output;
    if (output === undefined) family.open++;
    else if (family.kind === 'race' && output.status !== 'completed') family.failures.push({ id: child.id, message: errorOf(child)?.message ?? output.status });
  }

  /** A child ended: its family decides what its parent does (see {@link childEnded}). */
  #childEnded(child: TaskEntry, status: FinalStatus): void {
    const parent = this.#registry.entries.get(child.parent as string);
    if (parent?.family === undefined || !isLive(parent)) return;
    const decision = childEnded(parent.family, parent.id, child.id, status, child.output?.result, errorOf(child), (id) => {
      const sibling = this.#registry.entries.get(id);
      return sibling !== undefined && isLive(sibling);
    });
    switch (decision.kind) {
      case 'none':
        return;
      case 'complete':
        if (decision.fromWork) {
          // Still running, the parent completes when its work returns (#deliver sees no open child).
          if (pendingReasonOf(parent) === 'children') this.#actors.send(parent, { type: 'task.childrenDone', result: workResultOf(parent) });
          return;
        }
        this.#actors.send(parent, { type: 'task.childrenDone', result: decision.result });
        this.#cancelChildren(decision.losers, `race "${parent.id}" was won by "${decision.winner}"`);
        return;
      case 'fail':
        this.#actors.send(parent, { type: 'task.upstreamFailed', error: decision.error });
        break;
      case 'cancel':
        this.#actors.send(parent, { type: 'task.cancel', reason: decision.reason });
    }
    // Now, not when the parent's end is heard: the pump that follows this end must not start them.
    this.#cancelChildren(parent.family.children, `parent "${parent.id}" ${decision.kind === 'fail' ? 'failed' : 'was cancelled'}`);
  }

  /**
   * A parent restored waiting for its children (`pending.children`) whose children ended while
   * no scheduler ran, or before its wait was journaled: what their ends decide now, once.
   */
  #settleRestoredWait(parent: TaskEntry): void {
    const family = parent.family;
    if (family === undefined || !isLive(parent)) return;
    const ended = family.children.map((id) => this.#registry.entries.get(id)).filter((child): child is TaskEntry => child?.output !== undefined);
    if (family.kind === 'spawn') {
      const failed = ended.find((child) => child.output?.status !== 'completed');
      if (failed !== undefined) this.#actors.send(parent, { type: 'task.upstreamFailed', error: new UpstreamFailedError(parent.id, failed.id, 'child') });
      else if (family.open === 0) this.#actors.send(parent, { type: 'task.childrenDone', result: workResultOf(parent) });
      return;
    }
    const winner = ended.find((child) => child.output?.status === 'completed');
    if (winner !== undefined) {
      family.winner = winner.id;
      this.#actors.send(parent, { type: 'task.childrenDone', result: winner.output?.result });
      this.#cancelChildren(family.children, `race "${parent.id}" was won by "${winner.id}"`);
    } else if (family.open === 0) {
      this.#actors.send(parent, { type: 'task.upstreamFailed', error: new RaceLostError(parent.id, family.failures) });
    }
  }

  #cancelChildren(ids: readonly string[], reason: string): void {
    for (const id of ids) {
      const child = this.#registry.entries.get(id);
      if (child === undefined || !isLive(child)) continue;
      this.#actors.send(child, { type: 'task.cancel', reason });
      // Ended, it leaves the queue at once: a pump in this same step must not dispatch it.
      this.#dequeue(child);
    }
  }

  /** A task ended with `output`: kept on its entry (nothing else copies it) and acted on. */
  #settle(entry: TaskEntry, output: TaskMachineOutput): void {
    const id = entry.id;
    const { status, result } = output;
    const journal = this.#settings.journal;
    // A parent that waited for its children (or a race) completes from waiting, and a history hit
    // from the queue: neither from running.
    this.#registry.end(status, status === 'completed' && entry.family?.waited !== true && entry.cached !== true);
    entry.output = output;
    entry.completedAt = this.#settings.clock.now();
    this.#actors.dropActor(entry);
    this.#disarm(entry);
    this.#dequeue(entry);
    const at = entry.completedAt;
    if (status === 'completed') {
      journal?.record(entry.cacheKey === undefined ? { kind: 'completed', id, at, result } : { kind: 'completed', id, at, result, cacheKey: entry.cacheKey, cached: entry.cached });
      // A run that the history did not have is stored under the key it had when it became ready.
      if (entry.cacheParts !== undefined && entry.cacheKey !== undefined && !entry.cached) {
        this.#settings.cache?.remember(entry as TaskEntry & CacheableTask, entry.cacheKey, entry.cacheParts, result, (error) => this.#outbox.reportError(error));
        entry.cacheParts = undefined;
      }
      // Heard before what it makes ready: a listener never sees a dependent ready while this runs.
      this.#outbox.emit('task:completed', () => ({ task: toRecord(entry), result, cached: entry.cached }));
      this.#graph.send({ type: 'graph.completed', id });
      for (const ready of this.#graph.getSnapshot().context.unblocked) this.#unblock(ready);
    } else {
      if (status === 'cancelled') {
        const reason = output.cancelReason ?? 'cancelled';
        journal?.record({ kind: 'cancelled', id, at, reason });
        this.#outbox.emit('task:cancelled', () => ({ task: toRecord(entry), reason }));
      } else {
        const error = errorOf(entry) as Error;
        journal?.record({ kind: 'failed', id, at, error: toStoredError(error) });
        this.#outbox.emit('task:failed', () => ({ task: toRecord(entry), error }));
      }
      this.#graph.send({ type: 'graph.abandoned', id, outcome: status });
      const upstream = { id, outcome: status };
      for (const dependent of this.#graph.getSnapshot().context.doomed) {
        const downstream = this.#registry.entries.get(dependent);
        // A dependent may have ended already in this step (a diamond dooms it twice): its done
        // event is on its way; sending to its stopped actor would only warn.
        if (downstream !== undefined && isLive(downstream)) this.#actors.send(downstream, dependentEvent(dependent, upstream));
      }
    }
    if (entry.parent !== undefined) this.#childEnded(entry, status);
    // Its children never outlive it: a parent that failed or was cancelled takes them along.
    if (status !== 'completed' && entry.family !== undefined) {
      this.#cancelChildren(entry.family.children, `parent "${id}" ${status === 'failed' ? 'failed' : 'was cancelled'}`);
    }
    this.#waiters.settle(id, () => toRecord(entry));
    this.#registry.retain(id);
    // Pump at once (a slot may have freed) unless a scheduleTask call is on the stack.
    if (this.#scheduleDepth > 0) this.#pumpLater();
    else this.#pump();
  }
}

/** A race: a task whose children are its alternatives, with no work of its own. */
function isRace(entry: TaskEntry): boolean {
  return entry.family?.kind === 'race';
}

/** What a parent's work returned, kept in its machine while it waits for its children. */
function workResultOf(parent: TaskEntry): unknown {
  return (parent.ref?.getSnapshot() ?? parent.dormant)?.context.result;
}

/**
 * The scheduler (supervisor) actor's logic. Its state is the {@link Supervisor}; each event
 * becomes one call on it. It is custom actor logic rather than a statechart because a
 * statechart's context is copied on every `assign` and its children object on every spawn,
 * which is O(n) per task at 300k tasks; here task actors live in a Map and are created with
 * `createActor(taskMachine, { parent })`, so XState still routes their completion back here.
 */
export function createSchedulerLogic(supervisor: Supervisor): ActorLogic<SchedulerSnapshot, SchedulerEvent, undefined, ActorSystem<any>> {
  return {
    config: supervisor,
    getInitialSnapshot: () => ({
      status: 'active',
      output: undefined,
      error: undefined,
      context: { live: 0, paused: false, stopped: false, queued: 0 },
    }),
    start: (_snapshot, scope) => supervisor.start(scope.self),
    transition: (snapshot, event) => {
      supervisor.receive(event);
      const context = snapshot.context;
      context.live = supervisor.live;
      context.paused = supervisor.isPaused;
      context.stopped = supervisor.isStopped;
      context.queued = supervisor.queuedSize;
      return snapshot;
    },
    getPersistedSnapshot: (snapshot) => snapshot,
  };
}

/** The scheduler (root) actor: its snapshot is {@link SchedulerSnapshot}, its events {@link SchedulerEvent}. */
export type SchedulerActorRef = Actor<ActorLogic<SchedulerSnapshot, SchedulerEvent, undefined, ActorSystem<any>>>;
