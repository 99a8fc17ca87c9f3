import type { ActorRefFrom } from 'xstate';
import type { taskMachine } from '../machines/taskMachine.js';
import type { PendingReason, QueuedTask, TaskPriority, TaskRecord, TaskRun, TaskStatus } from './types.js';

/** A live task's actor. */
export type TaskActorRef = ActorRefFrom<typeof taskMachine>;

/**
 * What the supervisor keeps per task: the record's fields, kept current as the actor moves,
 * plus the live actor and the running attempt's controller. Mutable on purpose: one object per
 * task, updated in place, is what keeps 300k tasks within a few KiB each.
 */
export interface TaskEntry {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  priority: TaskPriority;
  readonly seq: number;
  status: TaskStatus;
  pendingReason: PendingReason | undefined;
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
  readyAt: number | undefined;
  startedAt: number | undefined;
  completedAt: number | undefined;
  result: unknown;
  error: Error | undefined;
  /** Which worker slot runs it (0-based), while running. */
  slot: number | undefined;
  /** The live actor; undefined once the task has ended and its actor was released. */
  ref: TaskActorRef | undefined;
  /** The running attempt's abort holder. */
  abort: AttemptAbort | undefined;
  /** What the ready queue holds for it, while queued. */
  queued: QueuedTask | undefined;
}

/** Holds one attempt's AbortController, created when the work first reads its signal. */
export interface AttemptAbort {
  controller: AbortController | undefined;
}

/** A frozen copy of an entry's public fields. */
export function toRecord(entry: TaskEntry): TaskRecord {
  return Object.freeze({
    id: entry.id,
    name: entry.name,
    type: entry.type,
    priority: entry.priority,
    status: entry.status,
    pendingReason: entry.pendingReason,
    attempts: entry.attempts,
    maxAttempts: entry.maxAttempts,
    dependencies: entry.dependencies,
    resources: entry.resources,
    group: entry.group,
    estimateMs: entry.estimateMs,
    createdAt: entry.createdAt,
    readyAt: entry.readyAt,
    startedAt: entry.startedAt,
    completedAt: entry.completedAt,
    result: entry.result,
    error: entry.error,
  });
}

/** The policy's view of an entry. */
export function toQueued(entry: TaskEntry): QueuedTask {
  return {
    id: entry.id,
    priority: entry.priority,
    seq: entry.seq,
    readyAt: entry.readyAt ?? entry.createdAt,
    estimateMs: entry.estimateMs,
    group: entry.group,
    resources: entry.resources,
  };
}
