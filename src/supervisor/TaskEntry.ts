import type { ActorRefFrom } from 'xstate';
import type { taskMachine } from '../../machines/taskMachine.js';
import type { PendingReason, QueuedTask, TaskPriority, TaskRecord, TaskRun, TaskStatus } from '../types.js';

/** A live task's actor. */
export type TaskActorRef = ActorRefFrom<typeof taskMachine>;

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
  error: Error | undefined;
  /** Which worker slot runs it (0-based), while running. */
  slot: number | undefined;
  /** The live actor; undefined once the task has ended and its actor was released. */
  ref: TaskActorRef | undefined;
  /** True while the ready queue holds it. */
  queued: boolean;
  /** The final state it reached; undefined while it lives. */
  outcome: FinalStatus | undefined;
  /** The node its latest attempt was placed on (a distributed executor says). */
  node: string | undefined;
}

const FINALS = new Set<string>(['completed', 'failed', 'cancelled']);

/** True for a final status. */
export const isFinal = (status: string): status is FinalStatus => FINALS.has(status);

/** A task's status: its actor's state while it lives, its outcome once it ended. */
export function statusOf(entry: TaskEntry): TaskStatus {
  if (entry.outcome !== undefined || entry.ref === undefined) return entry.outcome ?? 'failed';
  const value = entry.ref.getSnapshot().value;
  return typeof value === 'string' ? (value as TaskStatus) : 'pending';
}

/** Why a pending task waits: the substate of `pending` its actor is in. */
export function pendingReasonOf(entry: TaskEntry): PendingReason | undefined {
  if (entry.ref === undefined) return undefined;
  const value = entry.ref.getSnapshot().value;
  return typeof value === 'object' ? (value.pending as PendingReason) : undefined;
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
    error: entry.error,
    node: entry.node,
  });
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
