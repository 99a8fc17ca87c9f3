import type { InspectionEvent, Observer } from 'xstate';
import type { PolicyName, PolicyOptions, RetryOptions, SchedulerClock, SchedulingPolicy, TaskHandler, TaskPriorityInput } from '../types.js';
import type { Executor } from './Executor.js';
import type { TaskStore } from './TaskStore.js';
import type { RunHistory } from '../history/RunHistory.js';
import type { UsageLearner } from '../usageTypes.js';

/** Options of {@link createScheduler}. */
export interface SchedulerOptions {
  /** Most tasks running at once. @default 4 */
  maxWorkers?: number;
  /**
   * Capacity of each resource pool. Names are free; tasks may only request names listed here.
   * @default { cpu: 4, memory: 8, disk: 100, network: 1000 }
   */
  resources?: Readonly<Record<string, number>>;
  /** Work functions by task `type`, used when a task has no `run`. */
  handlers?: Readonly<Record<string, TaskHandler>>;
  /** Per-attempt time limit in ms; `0` disables. @default 300000 */
  defaultTimeoutMs?: number;
  /** Retry defaults. @default { attempts: 4, backoffMs: 1000, backoffFactor: 2, maxBackoffMs: 60000 } */
  defaultRetry?: RetryOptions;
  /**
   * Crash interruptions a task may have before it fails, for tasks that give no
   * `maxInterruptions`: a run resumed from its store starts an interrupted attempt's task again
   * without using a retry, up to this many times (see {@link TaskSpec.maxInterruptions}).
   * @default 3
   */
  maxInterruptions?: number;
  /**
   * Most children one task may have (its `ctx.spawn` calls together, or the alternatives of its
   * race); a spawn beyond it is refused whole.
   * @default 10000
   */
  maxChildren?: number;
  /**
   * Backup copies of stragglers (MapReduce's backup tasks): once an attempt of an idempotent task
   * (`idempotent: true`) has run longer than `speculate` × its bound (its learned p90 duration
   * when the history has one, else its `estimateMs`; a task with neither is never backed up), and
   * a worker and the task's resources are free with no queued task of higher priority waiting,
   * ONE copy of its work starts on the same executor; the first copy to succeed completes the
   * task and the other is cancelled (see docs/dynamic-work.md). A number > 0.
   * @default undefined (off)
   */
  speculate?: number;
  /** Longest chain of dependencies allowed (edges from a task to its deepest ancestor). @default 10 */
  maxDependencyDepth?: number;
  /** A task still waiting for its dependencies after this many ms fails with a DependencyError; `0` disables. @default 600000 */
  dependencyTimeoutMs?: number;
  /** Priority of tasks that give none. @default 'normal' */
  defaultPriority?: TaskPriorityInput;
  /** Start ready tasks automatically. With `false`, call `executeTask(id)`. @default true */
  autoStart?: boolean;
  /** How many finished task records to keep; the oldest are dropped first. @default 10000 */
  maxFinishedRecords?: number;
  /**
   * How many task actors may live at once for tasks that only wait. A pending task admitted
   * beyond it is dormant: its state is the machine's shared snapshot of the state it waits in
   * (status and pending reason read from it, pause and resume applied through the machine's own
   * transitions), and its actor is created when it starts (one cancelled or failed while it
   * waits ends through the machine's transition, with no actor). Inspectors see a dormant task's
   * actor from when it starts. `0` keeps every waiting task dormant; `Infinity` none. @default 10000
   */
  liveActorLimit?: number;
  /** The scheduling policy: a built-in name or a custom policy. @default 'priority' */
  policy?: PolicyName | SchedulingPolicy;
  /** Options of a built-in policy: aging (`priorityBoost`, `agingIntervalMs`), `backfill`, `groupWeights`. */
  policyOptions?: PolicyOptions;
  /** XState inspection observer, passed to `createActor`. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** A clock for timers and timestamps (e.g. xstate's `SimulatedClock`). @default the real clock */
  clock?: SchedulerClock;
  /**
   * Where attempts run. @default inline: each attempt's work function on this thread (worker
   * threads and commands are work functions too).
   */
  executor?: Executor;
  /**
   * What past runs learned (e.g. `new LearnedEstimates()`, or a history file's): tasks that give
   * no estimate are planned with the learned one, `'auto'` requests are resolved from it, and
   * every attempt's measurement is told to it. @default none: estimates are what tasks declare
   */
  estimates?: UsageLearner;
  /**
   * Where every accepted task and every transition is recorded, e.g. `memoryTaskStore()`.
   * @default none: nothing is journaled
   */
  store?: TaskStore;
  /**
   * What past runs learned, kept across runs (`sqliteHistory('h.db')` from
   * `xeno-scheduler/stores/sqlite`): a cacheable task whose key has a completed entry there
   * completes without running (docs/incremental-runs.md). Independent of `store`. The scheduler
   * does not close it: its owner does, after `stop()`.
   * @default none: nothing is cached
   */
  history?: RunHistory;
}
