import type { Emitter } from 'mitt';
import type { SchedulerActorRef } from './Supervisor.js';
import type { SchedulerEvents } from '../events.js';
import type {
  QueuedTask,
  RecoveredRun,
  SchedulerStats,
  TaskExplanation,
  TaskPriorityInput,
  TaskRecord,
  TaskSpec,
  TaskStatus,
} from '../types.js';

/** The handle an app holds: what {@link createScheduler} returns. */
export interface Scheduler {
  /** Validates and schedules one task; returns its id. Throws on bad input, and then schedules nothing. */
  scheduleTask<Config = Record<string, unknown>>(spec: TaskSpec<Config>): string;
  /**
   * Schedules a batch atomically (ids may refer forward inside the batch); returns the ids in order.
   * Each spec's `run` sees its own `config`'s type, as with `scheduleTask`.
   */
  scheduleTasks<Configs extends readonly unknown[]>(specs: { readonly [K in keyof Configs]: TaskSpec<Configs[K]> }): string[];
  /** Starts a ready task now, ignoring the queue order (still within workers and resources); false if it cannot start. */
  executeTask(id: string): boolean;
  /** Cancels a pending or running task; false if it had already ended. Throws for an unknown id. */
  cancelTask(id: string, reason?: string): boolean;
  /** The task's status. Throws a TaskSchedulingError for an unknown id. */
  getTaskStatus(id: string): TaskStatus;
  /** The task's record. Throws a TaskSchedulingError for an unknown id. */
  getTask(id: string): TaskRecord;
  /** True if the scheduler knows the id (live or a retained finished record). */
  hasTask(id: string): boolean;
  /** Every known task record, in submission order. */
  listTasks(): TaskRecord[];
  /** Changes a pending task's priority; false once it has started or ended. */
  updateTaskPriority(id: string, priority: TaskPriorityInput): boolean;
  /** Why a task is not running. */
  explainTask(id: string): TaskExplanation;
  /** Ready tasks in the order they will be dispatched (at most `limit`). */
  getQueue(limit?: number): QueuedTask[];
  /** Counters and resource pools. */
  getStats(): SchedulerStats;
  /** Resolves with the task's final record, whatever the outcome. */
  waitForTask(id: string): Promise<TaskRecord>;
  /** Resolves when nothing is pending or running. */
  onIdle(): Promise<void>;
  /** Stops dispatching new tasks; running ones go on. */
  pause(): void;
  /** Resumes dispatching. */
  resume(): void;
  /**
   * Cancels everything pending or running, waits for running work to settle (at most
   * `graceMs` of real time, default 5000), and stops the actors.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
  /**
   * What the scheduler found in its store when it was created, once the interrupted attempts have
   * been reported (a microtask after `createScheduler` returns); undefined with no store or an
   * empty one.
   */
  readonly recovered: RecoveredRun | undefined;
  /** Typed events (mitt). */
  readonly events: Emitter<SchedulerEvents>;
  /** The root (scheduler) actor, for embedding and inspection. */
  readonly actor: SchedulerActorRef;
}
