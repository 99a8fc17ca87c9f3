import type { ActorRefFrom, SnapshotFrom } from 'xstate';
import type { taskMachine } from '../../machines/taskMachine.js';
import { TaskCancelledError } from '../errors.js';
import type { Family } from './Family.js';
import type { PendingReason, QueuedTask, RetryOptions, TaskPriority, TaskRecord, TaskRun, TaskStatus } from '../types.js';

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
  /** Runs started (the actor's count while it lives; kept when it ends). */
  attempts: number;
  readonly maxAttempts: number;
  /** Its retry settings (the machine's context is built from them when its actor is created). */
  readonly retry: Required<RetryOptions>;
  readonly dependencies: readonly string[];
  readonly resources: Readonly<Record<string, number>>;
  readonly hasResources: boolean;
  readonly group: string;
  readonly estimateMs: number | undefined;
  readonly config: unknown;
  readonly run: TaskRun<any>;
  readonly timeoutMs: number;
  readonly createdAt: number;
  readonly dependencyDeadline: number | undefined;
  /** When it became ready (clock ms); NaN until then. */
  readyAt: number;
  startedAt: number | undefined;
  completedAt: number | undefined;
  result: unknown;
  /** The last attempt's error, or why it ended; a cancelled task's is built when first asked for ({@link errorOf}). */
  error: Error | undefined;
  /** Why it was cancelled, once it was. */
  cancelReason: string | undefined;
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
  /** The final state it reached; undefined while it lives. */
  outcome: FinalStatus | undefined;
  /** The node its latest attempt was placed on (a distributed executor says). */
  node: string | undefined;
  /** The clock's handle of its armed deadline (the attempt's timeout, or the retry delay), if any. */
  deadline: unknown;
  /** The task that spawned it, or whose race it runs in. */
  readonly parent: string | undefined;
  /** Its children, once its work spawned some or it is a race. */
  family: Family | undefined;
}

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
  outcome: undefined,
  node: undefined,
  deadline: undefined,
  family: undefined,
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
  const snapshot = entry.outcome === undefined ? snapshotOf(entry) : undefined;
  if (snapshot === undefined) return entry.outcome ?? 'failed';
  const value = snapshot.value;
  return typeof value === 'string' ? (value as TaskStatus) : 'pending';
}

/** Why a pending task waits: the substate of `pending` its actor (or dormant snapshot) is in. */
export function pendingReasonOf(entry: TaskEntry): PendingReason | undefined {
  const value = entry.outcome === undefined ? snapshotOf(entry)?.value : undefined;
  return typeof value === 'object' ? (value.pending as PendingReason) : undefined;
}

/**
 * True while a task can still take events: dormant, or its actor not yet in a final state. (An
 * actor that reached one this step has its done event on the way; it takes no more.)
 */
export function isLive(entry: TaskEntry): boolean {
  if (entry.outcome !== undefined) return false;
  return (entry.ref?.getSnapshot() ?? entry.dormant)?.status === 'active';
}

/**
 * A frozen copy of an entry's public fields. `now` gives the state when the record is taken
 * inside the transition that is entering it (the actor's snapshot still shows the old one).
 */
export function toRecord(entry: TaskEntry, now?: { status: TaskStatus; pendingReason: PendingReason | undefined }): TaskRecord {
  return Object.freeze({
    id: entry.id,
    name: entry.name,
    type: entry.type,
    priority: entry.priority,
    status: now?.status ?? statusOf(entry),
    pendingReason: now === undefined ? pendingReasonOf(entry) : now.pendingReason,
    attempts: entry.attempts,
    maxAttempts: entry.maxAttempts,
    dependencies: entry.dependencies,
    resources: entry.resources,
    group: entry.group,
    estimateMs: entry.estimateMs,
    createdAt: entry.createdAt,
    readyAt: Number.isNaN(entry.readyAt) ? undefined : entry.readyAt,
    startedAt: entry.startedAt,
    completedAt: entry.completedAt,
    result: entry.result,
    error: errorOf(entry),
    node: entry.node,
    children: entry.family?.children ?? NO_CHILDREN,
    parent: entry.parent,
    winner: entry.family?.winner,
  });
}

/**
 * A task's error. A cancelled task that had none gets its {@link TaskCancelledError} here, the
 * first time anyone asks: stopping a million queued tasks then captures no million stack traces.
 */
export function errorOf(entry: TaskEntry): Error | undefined {
  if (entry.error === undefined && entry.outcome === 'cancelled') entry.error = new TaskCancelledError(entry.id, entry.cancelReason ?? 'cancelled');
  return entry.error;
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
