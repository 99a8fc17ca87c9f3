import type { ActorRefFrom, SnapshotFrom } from 'xstate';
import type { TaskMachineContext, TaskMachineOutput, taskMachine } from '../../machines/taskMachine.js';
import type { Attempt } from './Executor.js';
import type { Family } from './Family.js';
import { TaskCancelledError } from '../errors.js';
import type { KeyParts } from '../history/cacheKey.js';
import type { TaskCachePlan } from '../history/TaskCachePlan.js';
import type { BackupRecord, PendingReason, QueuedTask, RetryOptions, TaskPriority, TaskRecord, TaskRun, TaskSpec, TaskStatus } from '../types.js';
import type { AttemptUsage, EstimateSource, MeasuredUsage } from '../usageTypes.js';
import { MEMORY_UNIT_BYTES, RECOMMENDATION_MARGIN } from '../estimates/LearnedEstimates.js';

/** A live task's actor. */
export type TaskActorRef = ActorRefFrom<typeof taskMachine>;

/** A task actor's snapshot. */
export type TaskSnapshot = SnapshotFrom<typeof taskMachine>;

/** The final states. */
export type FinalStatus = 'completed' | 'failed' | 'cancelled';

/**
 * What the supervisor keeps per task besides its actor. The entry is also what the policy's
 * queue holds (it is a {@link QueuedTask}): one object per task, updated in place, no copies.
 * A task's status and pending reason are not kept here: they are its actor's state
 * ({@link statusOf}); only a finished task, whose actor is gone, keeps its `outcome`.
 */
export interface TaskEntry extends QueuedTask {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  priority: TaskPriority;
  readonly seq: number;
  /**
   * Its retry settings; `retry.attempts` is its most attempts (the machine's context is built from
   * them when its actor is created), one more for each attempt a stop or a crash handed back.
   */
  retry: Required<RetryOptions>;
  readonly dependencies: readonly string[];
  /** What it asks of the pools; raised (memory × 1.2) after a `memoryLimit: 'enforce'` kill, between attempts. */
  resources: Readonly<Record<string, number>>;
  readonly hasResources: boolean;
  readonly group: string;
  /**
   * The estimate it is planned with (declared, else learned). A store keeps only a declared one: a
   * recovered task gets a learned one back when it is scheduled again with its spec.
   */
  estimateMs: number | undefined;
  estimateSource: EstimateSource | undefined;
  /**
   * What it runs, for the history's identity of it. A store keeps none: undefined for a recovered
   * task (the history neither plans it nor learns from it) until it is scheduled again with its spec.
   */
  runs: string | undefined;
  /** `memoryLimit: 'enforce'`; a store keeps none either, given back as `runs` is. */
  enforceMemory: boolean;
  /** What the latest attempt that ended used. */
  usage: AttemptUsage | undefined;
  /** What the running attempt's work measured of itself so far (see `TaskContext.reportUsage`). */
  measured: MeasuredUsage | undefined;
  readonly config: unknown;
  /** Its work; a recovered task's is replaced when it is scheduled again with its run. */
  run: TaskRun<any>;
  readonly timeoutMs: number;
  readonly createdAt: number;
  readonly dependencyDeadline: number | undefined;
  /** When it became ready (clock ms); NaN until then. */
  readyAt: number;
  startedAt: number | undefined;
  completedAt: number | undefined;
  /** Which worker slot runs it (0-based), while running. */
  slot: number | undefined;
  /** The live actor; undefined while the task is dormant, and once it has ended. */
  ref: TaskActorRef | undefined;
  /**
   * While the task is dormant (pending, with no actor yet): the shared snapshot of the pending
   * state it waits in. Its actor is created from it when the task leaves waiting (see
   * {@link TaskActors.send}); a dormant task that ends from waiting keeps its final snapshot here
   * until the supervisor settles it. Undefined once it has an actor.
   */
  dormant: TaskSnapshot | undefined;
  /** True while the ready queue holds it. */
  queued: boolean;
  /**
   * What its machine ended with (status, result, error, attempts, cancel reason): the final
   * snapshot's own output, kept when the actor is dropped; undefined while it lives (its actor's
   * context holds those facts then). A cancelled task's error is built when first asked for
   * ({@link errorOf}).
   */
  output: TaskMachineOutput | undefined;
  /** The node its latest attempt was placed on (a distributed executor says). */
  node: string | undefined;
  /** The clock's handle of its armed deadline (the attempt's timeout, or the retry delay), if any. */
  deadline: unknown;
  /** How it is keyed in the history, when it is cacheable. */
  readonly cache: TaskCachePlan | undefined;
  /**
   * Its cache key, once the history was asked (when it became ready); kept when it completes, for
   * its dependents' keys. Undefined for a task not cacheable, or not yet asked.
   */
  cacheKey: string | undefined;
  /** Its key's parts, kept from the question to the completion that stores them. */
  cacheParts: KeyParts | undefined;
  /** True once the history was asked (a retry does not ask again). */
  cacheAsked: boolean;
  /** It completed from the history, without running. */
  cached: boolean;
  /** Why a cacheable task ran (see TaskRecord.ranBecause). */
  ranBecause: string | undefined;
  /** The task that spawned it, or whose race it runs in. */
  readonly parent: string | undefined;
  /** Its children, once its work spawned some or it is a race. */
  family: Family | undefined;
  /**
   * Running it twice at once is harmless (`idempotent: true`): `speculate` may back up its
   * attempts. A store keeps no `idempotent`: a recovered task gets it back when it is scheduled again.
   */
  idempotent: boolean;
  /** The backup copy of its latest attempt that `speculate` started, if any (see Speculation). */
  backup: BackupCopy | undefined;
}

/** A backup copy's state, changed in place by Speculation; {@link toRecord} freezes a copy. */
export type BackupCopy = { -readonly [K in keyof BackupRecord]: BackupRecord[K] } & {
  /** What its work measured of itself (its usage is the attempt's when it wins). */
  measured: MeasuredUsage | undefined;
};

/**
 * The supervisor's own fields of an entry as it is created (admitted or recovered): no slot, no
 * actor yet, not queued, no outcome, no node, no deadline. Spread last into the entry literal, so
 * admitted and recovered entries share one object shape.
 */
export const UNSTARTED = Object.freeze({
  slot: undefined,
  ref: undefined,
  dormant: undefined,
  queued: false,
  output: undefined,
  node: undefined,
  deadline: undefined,
  usage: undefined,
  measured: undefined,
  cacheKey: undefined,
  cacheParts: undefined,
  cacheAsked: false,
  cached: false,
  ranBecause: undefined,
  family: undefined,
  backup: undefined,
});

const NO_CHILDREN: readonly string[] = Object.freeze([]);

const FINALS = new Set<string>(['completed', 'failed', 'cancelled']);

/** True for a final status. */
export const isFinal = (status: string): status is FinalStatus => FINALS.has(status);

/** The machine state of a task that has not ended: its actor's, or its dormant snapshot's. */
function snapshotOf(entry: TaskEntry): TaskSnapshot | undefined {
  return entry.ref?.getSnapshot() ?? entry.dormant;
}

/** A task's status: its actor's state (or dormant snapshot's) while it lives, its outcome once it ended. */
export function statusOf(entry: TaskEntry): TaskStatus {
  const snapshot = entry.output === undefined ? snapshotOf(entry) : undefined;
  if (snapshot === undefined) return entry.output?.status ?? 'failed';
  const value = snapshot.value;
  return typeof value === 'string' ? (value as TaskStatus) : 'pending';
}

/** Why a pending task waits: the substate of `pending` its actor (or dormant snapshot) is in. */
export function pendingReasonOf(entry: TaskEntry): PendingReason | undefined {
  const value = entry.output === undefined ? snapshotOf(entry)?.value : undefined;
  return typeof value === 'object' ? (value.pending as PendingReason) : undefined;
}

/**
 * True while a task can still take events: dormant, or its actor not yet in a final state. (An
 * actor that reached one this step has its done event on the way; it takes no more.)
 */
export function isLive(entry: TaskEntry): boolean {
  if (entry.output !== undefined) return false;
  return (entry.ref?.getSnapshot() ?? entry.dormant)?.status === 'active';
}

/**
 * Runs started: its machine's count while it lives (`context`, inside an action, where the
 * actor's snapshot is still the old one), its output's once it ended.
 */
export function attemptsOf(entry: TaskEntry, context?: TaskMachineContext): number {
  return entry.output?.attempts ?? (context ?? snapshotOf(entry)?.context)?.attempt ?? 0;
}

/**
 * A frozen copy of an entry's public fields. `now` gives the state when the record is taken
 * inside the transition that is entering it, and `context` that transition's machine context
 * (the actor's snapshot still shows the old ones).
 */
export function toRecord(
  entry: TaskEntry,
  now?: { status: TaskStatus; pendingReason: PendingReason | undefined },
  context?: TaskMachineContext,
): TaskRecord {
  return Object.freeze({
    id: entry.id,
    name: entry.name,
    type: entry.type,
    priority: entry.priority,
    status: now?.status ?? statusOf(entry),
    pendingReason: now === undefined ? pendingReasonOf(entry) : now.pendingReason,
    attempts: attemptsOf(entry, context),
    maxAttempts: entry.retry.attempts,
    dependencies: entry.dependencies,
    resources: entry.resources,
    group: entry.group,
    estimateMs: entry.estimateMs,
    createdAt: entry.createdAt,
    readyAt: Number.isNaN(entry.readyAt) ? undefined : entry.readyAt,
    startedAt: entry.startedAt,
    completedAt: entry.completedAt,
    result: entry.output?.result,
    error: errorOf(entry, context),
    node: entry.node,
    ...(entry.estimateSource === undefined ? {} : { estimateSource: entry.estimateSource }),
    ...(entry.usage === undefined ? {} : { usage: entry.usage }),
    ...(entry.enforceMemory ? { memoryLimitBytes: memoryLimitBytes(entry.resources) } : {}),
    cached: entry.cached,
    ranBecause: entry.ranBecause,
    slot: entry.slot,
    children: entry.family?.children ?? NO_CHILDREN,
    parent: entry.parent,
    winner: entry.family?.winner,
    ...(entry.backup === undefined ? {} : { backup: toBackupRecord(entry.backup) }),
  });
}

/** A frozen copy of a backup copy's public fields. */
export function toBackupRecord(backup: BackupCopy): BackupRecord {
  const { id, attempt, outcome, startedAt, endedAt, slot, node, error } = backup;
  return Object.freeze({ id, attempt, outcome, startedAt, endedAt, slot, node, error });
}

/** The peak memory an attempt may reach with `memoryLimit: 'enforce'`: its request plus the margin. */
export function memoryLimitBytes(resources: Readonly<Record<string, number>>): number {
  return (resources['memory'] ?? 0) * MEMORY_UNIT_BYTES * (1 + RECOMMENDATION_MARGIN);
}

/**
 * A task's error: the last attempt's while it lives, or why it ended (none once it completed).
 * A cancelled task that had none gets its {@link TaskCancelledError} here, the first time anyone
 * asks: stopping a million queued tasks then captures no million stack traces.
 */
export function errorOf(entry: TaskEntry, context?: TaskMachineContext): Error | undefined {
  const output = entry.output;
  if (output === undefined) return (context ?? snapshotOf(entry)?.context)?.error;
  if (output.status === 'completed') return undefined;
  if (output.error !== undefined || output.status !== 'cancelled') return output.error;
  const error = new TaskCancelledError(entry.id, output.cancelReason ?? 'cancelled');
  entry.output = { ...output, error };
  return error;
}

/** What a policy's user (getQueue) sees of a queued entry: a plain copy, no internals. */
export function toQueuedTask(entry: QueuedTask): QueuedTask {
  return {
    id: entry.id,
    priority: entry.priority,
    seq: entry.seq,
    readyAt: entry.readyAt,
    estimateMs: entry.estimateMs,
    group: entry.group,
    resources: entry.resources,
  };
}

/** What an attempt tells its supervisor besides its outcome: where it went, and that it runs. */
export interface AttemptReporter {
  placed(entry: TaskEntry, attempt: number, node: string): void;
  active(entry: TaskEntry, attempt: number): void;
  /** Schedules `specs` as children of the attempt (`ctx.spawn`): their ids, or a throw and nothing scheduled. */
  spawn(entry: TaskEntry, attempt: number, specs: readonly TaskSpec<any>[]): string[];
}

/**
 * One attempt of a task as the supervisor hands it to its executor (started, or adopted after a
 * restart). A class, so that its callbacks live on the prototype: one object per attempt, not one
 * closure per callback.
 *
 * @example
 * executor.start(new AttemptHandle(reporter, entry, attemptsOf(entry)), deliver);
 */
export class AttemptHandle implements Attempt {
  readonly taskId: string;
  readonly attempt: number;
  readonly type: string;
  readonly config: unknown;
  readonly run: TaskRun<any>;
  readonly #reporter: AttemptReporter;
  readonly #entry: TaskEntry;

  constructor(reporter: AttemptReporter, entry: TaskEntry, attempt: number) {
    this.taskId = entry.id;
    this.attempt = attempt;
    this.type = entry.type;
    this.config = entry.config;
    this.run = entry.run;
    this.#reporter = reporter;
    this.#entry = entry;
  }

  record(): TaskRecord {
    return toRecord(this.#entry);
  }

  placed(node: string): void {
    this.#reporter.placed(this.#entry, this.attempt, node);
  }

  active(): void {
    this.#reporter.active(this.#entry, this.attempt);
  }

  spawn(specs: readonly TaskSpec<any>[]): string[] {
    return this.#reporter.spawn(this.#entry, this.attempt, specs);
  }

  measured(usage: MeasuredUsage): void {
    // A late report of an older attempt is not this one's.
    const entry = this.#entry;
    if (entry.output === undefined && attemptsOf(entry) === this.attempt) entry.measured = usage;
  }
}
