import type { AttemptUsage, EstimateSource, MeasuredUsage } from './usageTypes.js';

export type { AttemptUsage, EstimateSource, LearnedEstimate, MeasuredUsage, Recommendation, TaskIdentity, UsageLearner } from './usageTypes.js';

/**
 * The five states a task can be in. `completed`, `failed` and `cancelled` are final:
 * once a task reaches one of them it never leaves it.
 */
export const TaskStatus = {
  PENDING: 'pending',
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
} as const;
/** One of the values of {@link TaskStatus}. */
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** Task priorities, as in the reference design: a larger number runs first. */
export const TaskPriority = {
  LOWEST: 1,
  LOW: 2,
  NORMAL: 3,
  HIGH: 4,
  HIGHEST: 5,
} as const;
/** A priority level, 1 (lowest) to 5 (highest). */
export type TaskPriority = (typeof TaskPriority)[keyof typeof TaskPriority];
/** The lower-case name of a priority level. */
export type TaskPriorityName = Lowercase<keyof typeof TaskPriority>;
/** What the API accepts as a priority: a level or its lower-case name. */
export type TaskPriorityInput = TaskPriority | TaskPriorityName;

// ---------------------------------------------------------------- what a scheduling policy deals in

/** Options of the built-in policies (the `priority_scheduler.*` settings, in camelCase). */
export interface PolicyOptions {
  /** Priority levels a waiting task gains per `agingIntervalMs` (the seed's `priority_boost`). 0: no aging. @default 0 */
  priorityBoost?: number;
  /** The aging interval in ms. @default 60000 */
  agingIntervalMs?: number;
  /** Lets lower-ranked tasks use reserved resources when they end in time. @default false */
  backfill?: boolean;
  /** Group weights of the `fair-share` policy. @default {} (every group weighs 1) */
  groupWeights?: Readonly<Record<string, number>>;
}

/** Built-in policy names. */
export type PolicyName = 'priority' | 'fifo' | 'shortest-first' | 'critical-path' | 'fair-share';

/** What a policy sees of a ready task. */
export interface QueuedTask {
  readonly id: string;
  readonly priority: TaskPriority;
  /** Submission order, unique and increasing. */
  readonly seq: number;
  /** When the task became ready (clock ms). */
  readonly readyAt: number;
  readonly estimateMs: number | undefined;
  readonly group: string;
  readonly resources: Readonly<Record<string, number>>;
}

/** The queue of ready tasks a policy keeps, in the order it wants them dispatched. */
export interface ReadyQueue {
  readonly size: number;
  push(task: QueuedTask): void;
  /** Removes a task; false if it was not queued. */
  remove(id: string): boolean;
  /** Re-orders a task after its priority changed; false if it was not queued. */
  update(task: QueuedTask): boolean;
  /** The next task to dispatch without removing it. */
  peek(): QueuedTask | undefined;
  /** Removes and returns the next task. */
  pop(): QueuedTask | undefined;
  /** Up to `limit` tasks in dispatch order, without removing them. */
  ordered(limit: number): QueuedTask[];
  /**
   * True while the policy keeps the free workers idle on purpose, expecting a running task's end
   * to open better work (the critical-path lookahead's inserted idle time): the scheduler then
   * starts nothing until the next start, end or queue change. Ignored while nothing runs, so a
   * run cannot stall on it. @default false
   */
  readonly isHolding?: boolean;
}

/** What a policy is told about the scheduler when it builds its queue. */
export interface PolicyContext {
  now(): number;
  /** The dependency graph's successors of a task (ids). */
  dependentsOf(id: string): readonly string[];
  /** Estimated duration of a task in ms (undefined when unknown). */
  estimateOf(id: string): number | undefined;
  /** What a scheduled task asks of each pool (undefined for an unknown id), ready or not yet. */
  resourcesOf?(id: string): Readonly<Record<string, number>> | undefined;
  /** The scheduler's worker slots, for policies that plan ahead. @default unknown */
  readonly maxWorkers?: number;
  /** The scheduler's pool capacities, for policies that plan ahead. @default unknown */
  readonly capacity?: Readonly<Record<string, number>>;
}

/** A scheduling policy: decides which ready task runs next. */
export interface SchedulingPolicy {
  readonly name: string;
  createQueue(context: PolicyContext): ReadyQueue;
  /** Called when a task from the queue starts running (fair-share accounting). */
  onStart?(task: QueuedTask): void;
  /** Called when a task that was running leaves `running`. */
  onFinish?(task: QueuedTask): void;
  /**
   * With backfill, a lower-ranked task may use resources reserved for a blocked higher-ranked task
   * only if its estimate ends before the blocked task could start. @default false
   */
  readonly backfill?: boolean;
}

/**
 * Why a pending task waits: the substate of `pending` it is in. `queued`: ready, waiting for a
 * worker (or its turn); `resources`: set aside by a dispatch pass because what it requests was
 * not free; `dispatched`: given a worker slot and its resources, its attempt waits in an executor
 * that reports when the work is active (a distributed run: its job waits in a node's queue, or
 * for a node, until a worker process takes it; `explainTask` says which); `dependencies`,
 * `backoff` (before a retry) and `paused` say what they say; `children`: its work returned (or,
 * a race, its alternatives started) and it waits for its children, holding no worker.
 */
export type PendingReason = 'dependencies' | 'queued' | 'resources' | 'dispatched' | 'backoff' | 'paused' | 'children';

/** The context handed to a task's work function. */
export interface TaskContext<Config = Record<string, unknown>> {
  /** A snapshot of the task's record as the attempt starts. */
  readonly task: TaskRecord;
  /** The task's `config` as given at scheduling. */
  readonly config: Config;
  /** Which run this is, starting at 1. */
  readonly attempt: number;
  /** Aborted when the task is cancelled, times out, or the scheduler stops. */
  readonly signal: AbortSignal;
  /**
   * Work that measures itself (a command task samples its process group) tells the scheduler its
   * peak memory and CPU time here; the latest call wins. Absent where the executor keeps no
   * measurement.
   */
  readonly reportUsage?: (usage: MeasuredUsage) => void;
  /**
   * Schedules `specs` as this task's children and returns their ids. They are ordinary tasks
   * (queued, prioritized, resourced, journaled); they may depend on each other and on any
   * existing task, never on this task or anything that waits for it. The task completes only
   * when its work has returned and every child has completed; a child that fails fails it.
   * Throws a TaskSchedulingError (and schedules nothing of `specs`) when the attempt is over,
   * an id is taken, a dependency is unknown or waits for this task, or the task would have more
   * than `maxChildren` children. Work on a distributed worker sends its children (with ids and
   * types) back with its result; a command adds children through the file named by
   * `XENO_SPAWN_FILE`. See docs/dynamic-work.md.
   *
   * @example
   * run: async (ctx) => {
   *   const goals = await decompose(ctx.config);
   *   ctx.spawn(goals.map((goal) => ({ id: goal.id, type: 'prove', config: goal })));
   *   return goals.length;
   * }
   */
  spawn(specs: readonly TaskSpec<any>[]): string[];
}

/** A task's work. Its resolved value becomes the task's `result`; a throw or rejection fails the attempt. */
export type TaskRun<Config = Record<string, unknown>> = (ctx: TaskContext<Config>) => unknown;

/**
 * Work registered by task type (`handlers`). Written inline, its `ctx.config` is
 * `Record<string, unknown>` (not `any`: read a field, then check it); a handler may declare its
 * own config type instead, e.g. `(ctx: TaskContext<{ depth: number }>) => …`.
 */
export type TaskHandler = { handle(ctx: TaskContext<Record<string, unknown>>): unknown }['handle'];

/** Retry settings for a task. */
export interface RetryOptions {
  /**
   * How many runs in total, counting the first. `1` means no retry.
   * @default 4 (the reference design's `retry_attempts: 3`, i.e. three retries)
   */
  attempts?: number;
  /**
   * Delay before the first retry, in milliseconds.
   * @default 1000
   */
  backoffMs?: number;
  /**
   * Each further retry waits this many times longer than the last.
   * @default 2
   */
  backoffFactor?: number;
  /**
   * Upper bound on one backoff delay, in milliseconds.
   * @default 60000
   */
  maxBackoffMs?: number;
}

/** What `scheduleTask` takes. */
export interface TaskSpec<Config = Record<string, unknown>> {
  /**
   * A unique id, not starting with `#`. Generated when omitted (`#1`, `#2`, ...: a generated id never
   * meets a chosen one); required to refer to the task from others in a batch.
   */
  id?: string;
  /** A human name. @default the id */
  name?: string;
  /** The task's type: selects a registered handler when `run` is omitted. @default 'generic' */
  type?: string;
  /** @default the scheduler's `defaultPriority` ('normal') */
  priority?: TaskPriorityInput;
  /** Ids of tasks that must complete before this one starts. */
  dependencies?: readonly string[];
  /**
   * Amounts of each pool resource the task holds while running, e.g. `{ cpu: 2, memory: 4 }`.
   * `memory` and `cpu` may be `'auto'`: what the history recommends (see docs/learned-estimates.md).
   */
  resources?: Readonly<Record<string, number | 'auto'>>;
  /**
   * `'enforce'`: an attempt whose measured memory (a command's process group) goes over its
   * `memory` request by the margin (15%) is killed with a MemoryLimitError, and its retry asks
   * for 1.2 times as much. @default not enforced
   */
  memoryLimit?: 'enforce';
  /** Free-form settings handed to the work function as `ctx.config`. */
  config?: Config;
  /** The work. When omitted, the handler registered for `type` runs. */
  run?: TaskRun<Config>;
  /** Per-attempt time limit in milliseconds; `0` disables it. @default the scheduler's `defaultTimeoutMs` */
  timeoutMs?: number;
  /** Retry settings; missing fields come from the scheduler's `defaultRetry`. */
  retry?: RetryOptions;
  /**
   * Estimated duration in milliseconds, used by policies such as shortest-first and critical-path.
   * With a history (`estimates`), a task that gives none, or `'auto'`, is planned with the learned
   * estimate (see docs/learned-estimates.md); a number given always wins.
   */
  estimateMs?: number | 'auto';
  /**
   * What the task runs, for the history's identity of it (name + this): the command line or
   * `module#export`. @default '' (only the name, then the type, identify it)
   */
  runs?: string;
  /** Group name for the fair-share policy. @default 'default' */
  group?: string;
  /**
   * Files the task reads: paths and globs (`*`, `**`, `?`, `[…]`, `{a,b}`) relative to `baseDir`;
   * `[]` for a task that reads no file. A task that gives `inputs` (or `cacheKey`) is cacheable:
   * with a `history`, one whose key has a completed entry completes without running
   * (docs/incremental-runs.md).
   */
  inputs?: readonly string[];
  /** Files the task writes (paths and globs relative to `baseDir`): stored with its result, restored on a hit. */
  outputs?: readonly string[];
  /** Environment variables whose values are part of the task's cache key. */
  envInputs?: readonly string[];
  /**
   * The cache key's own part, for work that reads something `inputs` cannot name: a string, or a
   * function of the spec that returns one (called once, at scheduling). Makes the task cacheable.
   */
  cacheKey?: string | ((spec: TaskSpec<Config>) => string);
  /** `false`: never cached, even with `inputs`. @default true for a task with `inputs` or `cacheKey` */
  cache?: boolean;
  /** The folder `inputs` and `outputs` are relative to. @default process.cwd() at scheduling */
  baseDir?: string;
  /**
   * How many times a run resumed from its store may find this task's attempt interrupted (its
   * scheduler's process died: a kill -9, a power loss) and start it again without using a retry.
   * Interrupted once more, it fails with an AttemptInterruptedError naming the count. Retries
   * stay for the task's own failures; an attempt a `stop()` cut short is never counted.
   * @default the scheduler's `maxInterruptions` (3)
   */
  maxInterruptions?: number;
  /**
   * Alternatives to race: at least two specs, run at once as this task's children when it is
   * ready. The first to complete wins (its result becomes this task's, the record's `winner`
   * names it) and the others are cancelled at once; the race fails only when every alternative
   * failed (a RaceLostError listing each message). A race has no work of its own: give no
   * `run` or `type`. Alternatives inherit its dependencies; an alternative without an `id` gets
   * `<race id>/<index>`.
   */
  race?: readonly TaskSpec<any>[];
  /**
   * Running it twice at once is harmless (its effects are the same however many attempts run):
   * the scheduler's `speculate` option may start a backup attempt of it when it straggles.
   * @default false
   */
  idempotent?: boolean;
}

/** The record kept for every task, live or finished. */
export interface TaskRecord {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  /** Current priority (changes with `updateTaskPriority`). */
  readonly priority: TaskPriority;
  readonly status: TaskStatus;
  /** While pending, why it waits. */
  readonly pendingReason: PendingReason | undefined;
  /** Runs started so far. */
  readonly attempts: number;
  /** Runs allowed in total. */
  readonly maxAttempts: number;
  readonly dependencies: readonly string[];
  readonly resources: Readonly<Record<string, number>>;
  readonly group: string;
  /** The estimate the policies plan with: the declared one, else the learned one (see `estimateSource`). */
  readonly estimateMs: number | undefined;
  /** Where `estimateMs` came from: `declared`, or the history (`task`, `command`, `type`, `default`); absent without either. */
  readonly estimateSource?: EstimateSource;
  /** What the latest attempt that ended used (duration, peak memory, CPU); absent before one ended. */
  readonly usage?: AttemptUsage;
  /**
   * With `memoryLimit: 'enforce'`: the peak memory (bytes) past which work that measures itself
   * ends its attempt with a MemoryLimitError (the memory request plus the margin).
   */
  readonly memoryLimitBytes?: number;
  /** Milliseconds since the epoch (or the injected clock's time). */
  readonly createdAt: number;
  readonly readyAt: number | undefined;
  readonly startedAt: number | undefined;
  readonly completedAt: number | undefined;
  readonly result: unknown;
  readonly error: Error | undefined;
  /** The node its latest attempt was placed on, in a distributed run; undefined elsewhere. */
  readonly node: string | undefined;
  /** It completed from the history without running (its cache key had a completed entry). */
  readonly cached: boolean;
  /**
   * Why a cacheable task ran (with a history): what changed since its last entry (`inputs/c1.txt
   * changed`, `command changed`), or `no entry`. Undefined for a hit and for a task not cacheable.
   */
  readonly ranBecause: string | undefined;
  /** The worker slot (0-based, below `maxWorkers`) its attempt holds while it is running or dispatched; undefined otherwise. */
  readonly slot: number | undefined;
  /** Ids of the tasks it spawned (`ctx.spawn`) or the alternatives of its race, in order. */
  readonly children: readonly string[];
  /** The task that spawned it, or whose race it is an alternative of. */
  readonly parent: string | undefined;
  /** For a race that completed: the alternative that won. */
  readonly winner: string | undefined;
  /**
   * The backup copy of its latest attempt that `speculate` started (absent when none was): whether
   * it runs, won (the task completed with its result), lost, failed or was cancelled.
   */
  readonly backup?: BackupRecord;
}

/**
 * A backup copy of a straggling attempt (the scheduler's `speculate` option): the same work, run
 * once more beside the original; the first copy to succeed completes the task, the other is cancelled.
 */
export interface BackupRecord {
  /** The copy's id at its executor: `<task id>~backup`. */
  readonly id: string;
  /** The attempt it backs up (it shares its number, its retries and its timeout). */
  readonly attempt: number;
  /**
   * `running`; `won` (it succeeded first: the task completed with its result, the original was
   * cancelled); `lost` (the original succeeded first: the copy was cancelled); `failed` (its work
   * failed: the original went on); `cancelled` (the attempt ended otherwise: a failure, timeout,
   * cancel or stop).
   */
  readonly outcome: 'running' | 'won' | 'lost' | 'failed' | 'cancelled';
  /** When it started and ended (clock ms); `endedAt` undefined while it runs. */
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  /** The worker slot it holds while it runs. */
  readonly slot: number | undefined;
  /** The node it was placed on, in a distributed run; undefined elsewhere. */
  readonly node: string | undefined;
  /** Why it failed (its work's error message), for `failed`. */
  readonly error: string | undefined;
}

/** A clock: XState's `Clock` plus the current time. `SimulatedClock` from xstate fits. */
export interface SchedulerClock {
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
  now(): number;
}

/** What a scheduler found in its store when it was created: `scheduler.recovered`. */
export interface RecoveredRun {
  /** Tasks found in the store. */
  readonly tasks: number;
  /** Tasks that had finished, by status: they keep their result or error and do not run again. */
  readonly finished: { readonly completed: number; readonly failed: number; readonly cancelled: number };
  /** Tasks still pending (waiting, queued or in backoff): they wait again as they were. */
  readonly pending: number;
  /**
   * Attempts that were running when the last scheduler on the store ended without `stop()` (a
   * crash, a kill). Each goes to the executor's `adopt`: one whose work is gone with that
   * process (always, with the inline executor; a distributed job no node holds) is interrupted:
   * its task starts again without using a retry, and fails with AttemptInterruptedError once
   * interrupted more than its `maxInterruptions`; one a distributed executor re-attaches to (its
   * job still runs or ended meanwhile) is not.
   */
  readonly interrupted: readonly { readonly id: string; readonly attempt: number }[];
  /**
   * Attempts the last scheduler's `stop()` stopped (a Ctrl-C): their tasks wait again and start
   * a new attempt that does not count against their retries.
   */
  readonly stopped: readonly { readonly id: string; readonly attempt: number }[];
  /** Tasks whose work could not be found (a `run` closure, no handler): they fail with TaskNotRecoverableError. */
  readonly unrecoverable: readonly string[];
}

/** Why a pending task is not running: the answer of `explainTask`. */
export interface TaskExplanation {
  readonly id: string;
  readonly status: TaskStatus;
  readonly pendingReason: PendingReason | undefined;
  /** Ids of dependencies that have not completed. */
  readonly dependencies: readonly string[];
  /** Resources the task asks for that are not free now (free excludes reservations for tasks ahead). */
  readonly resources: Readonly<Record<string, { requested: number; free: number }>>;
  readonly workersBusy: boolean;
  readonly paused: boolean;
  /** Ready tasks that will be dispatched before it (at most 20 ids). */
  readonly ahead: readonly string[];
  /** How many ready tasks are ahead of it in all. */
  readonly aheadCount: number;
  /**
   * Where a dispatched attempt (pendingReason `dispatched`) waits for a worker, as its executor
   * says (a distributed run: queued on node "a"; no live node; none whose free resources fit);
   * undefined otherwise.
   */
  readonly placement: string | undefined;
  /** One line for people. */
  readonly summary: string;
}

/** One resource pool as seen from outside. */
export interface ResourceUsage {
  readonly capacity: number;
  readonly used: number;
  readonly reserved: number;
}

/**
 * Counters and pools at a moment. The counts are of every task scheduled so far, including
 * finished ones whose records were dropped past `maxFinishedRecords`.
 */
export interface SchedulerStats {
  readonly pending: number;
  /** Tasks whose attempt's work is active (with a remote executor: a worker took its job). */
  readonly running: number;
  /**
   * Pending tasks (counted in `pending`) whose attempt holds a worker slot and its resources while
   * its executor has not started the work (pendingReason `dispatched`: a job waiting for a worker).
   * `running + dispatched + backups` is the worker slots in use. Always 0 with the inline executor.
   */
  readonly dispatched: number;
  /**
   * Ready tasks in the policy's queue, waiting for a worker, their turn or their resources
   * (counted in `pending`; paused ones included).
   */
  readonly queued: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  /**
   * Backup copies of stragglers running now (`speculate`): each holds a worker slot and its task's
   * resources, so `running + dispatched + backups` is the worker slots in use. Not tasks: counted in no status.
   */
  readonly backups: number;
  readonly maxWorkers: number;
  readonly paused: boolean;
  readonly resources: Readonly<Record<string, ResourceUsage>>;
}

/**
 * A node of a distributed run as its executor reports it (`bullmqExecutor(…).nodes()`), and as
 * the dashboard's optional `nodes` source shows it.
 */
export interface NodeStatus {
  readonly name: string;
  /** Some worker of the node is alive. */
  readonly isUp: boolean;
  /** Live workers, and the jobs they run at once in all. */
  readonly workers: number;
  readonly concurrency: number;
  /** Jobs placed on the node and not finished; `running` of them are active on a worker. */
  readonly placed: number;
  readonly running: number;
  /** What the node offers (configured, else what its workers announce) and what its jobs hold. */
  readonly resources: Readonly<Record<string, number>>;
  readonly used: Readonly<Record<string, number>>;
}
