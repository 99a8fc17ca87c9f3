// The types of learned estimates and measured usage; src/types.ts re-exports them.

/**
 * Where a task's planning estimate came from: `declared` (its own `estimateMs`), or the history:
 * `task` (its own runs: same name, same command), `command` (the same command under another name:
 * a renamed task), `type` (every task of its type), `default` (nothing known: the documented
 * default).
 */
export type EstimateSource = 'declared' | 'task' | 'command' | 'type' | 'default';

/** What work measured of itself: see `TaskContext.reportUsage`. */
export interface MeasuredUsage {
  /** Peak resident memory in bytes (a command's whole process group; a thread's heap). */
  readonly peakRssBytes: number | undefined;
  /** CPU time used, user + system, in ms. */
  readonly cpuMs: number | undefined;
  /** How: `proc` (Linux: /proc samples of the command's process group), `thread` (a worker thread's heap and event-loop time). */
  readonly measuredBy: 'proc' | 'thread';
}

/** What an attempt used: its duration as the scheduler saw it, and what its work measured. */
export interface AttemptUsage {
  /** Wall-clock time of the attempt, from start to outcome, in ms of the scheduler's clock. */
  readonly durationMs: number;
  readonly peakRssBytes: number | undefined;
  readonly cpuMs: number | undefined;
  /** How memory and CPU were measured; `none` when the work measured nothing. */
  readonly measuredBy: MeasuredUsage['measuredBy'] | 'none';
}

/** Who a task is to the history: its name, what it runs, and its type. */
export interface TaskIdentity {
  readonly name: string;
  /** What it runs: the command line, `module#export`, or what the app says; '' when unknown. */
  readonly runs: string;
  readonly type: string;
}

/** A duration the planner can use, and how it was found. */
export interface LearnedEstimate {
  readonly ms: number;
  /** Where it came from (never `declared`: see {@link EstimateSource}). */
  readonly source: Exclude<EstimateSource, 'declared'>;
  /** Runs the estimate rests on (0 for the default). */
  readonly runs: number;
  /** p90 of the duration, ms, where runs were measured (absent for the default): `speculate`'s bound. */
  readonly p90Ms?: number;
}

/** Requests the history recommends for a task, in pool units; absent where nothing was measured. */
export interface Recommendation {
  /** The planning estimate (p50 of duration), ms. */
  readonly estimateMs?: number;
  /** p90 of peak resident memory plus the margin, in memory-pool units (GiB), bounded by the pool. */
  readonly memory?: number;
  /** p90 of average cores busy plus the margin, in cores, bounded by the pool. */
  readonly cpu?: number;
}

/** How an attempt that ended counts (see `UsageLearner.observe`). */
export interface ObserveOptions {
  /** It completed (its duration counts). @default true */
  readonly completed?: boolean;
  /** `memoryLimit: 'enforce'` killed it at this request (bytes): its peak counts as at least 1.2 times it. */
  readonly killedAtRequestBytes?: number;
}

/**
 * What the scheduler asks of past runs (`SchedulerOptions.estimates`): `LearnedEstimates`, kept
 * in memory or loaded from a history file, is the one implementation.
 */
export interface UsageLearner {
  /** The estimate of a task that declares none. */
  estimate(task: TaskIdentity): LearnedEstimate;
  /** The requests recommended for a task, bounded by `pool`; empty when nothing is known of it or its type. */
  recommend(task: TaskIdentity, pool?: Readonly<Record<string, number>>): Recommendation;
  /** One attempt ended; `at` is the scheduler clock's time. */
  observe(task: TaskIdentity, usage: AttemptUsage, at: number, options?: ObserveOptions): void;
}
