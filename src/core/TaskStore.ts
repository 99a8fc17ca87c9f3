import type { TaskCachePlan } from '../history/TaskCachePlan.js';
import type { RetryOptions, TaskPriority, TaskStatus, PendingReason } from '../types.js';

/** A task as a store keeps it: its spec without the work function (a closure cannot be kept). */
export interface StoredTask {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly priority: TaskPriority;
  readonly seq: number;
  readonly dependencies: readonly string[];
  readonly resources: Readonly<Record<string, number>>;
  readonly config: unknown;
  /** True when the work was a `run` closure: after a restart only a handler of `type` can run it. */
  readonly hasOwnRun: boolean;
  readonly timeoutMs: number;
  readonly retry: Required<RetryOptions>;
  /**
   * Crash interruptions a resumed run tolerates before the task fails. Absent in a store written
   * before it existed: the resuming scheduler's `maxInterruptions` applies.
   */
  readonly maxInterruptions?: number;
  readonly estimateMs: number | undefined;
  readonly group: string;
  readonly createdAt: number;
  /** When a task waiting for dependencies gives up (clock ms), if it does. */
  readonly dependencyDeadline: number | undefined;
  /** How a cacheable task is keyed in the history (absent for a task that is not cacheable). */
  readonly cache?: TaskCachePlan;
  /** The task that spawned it, or whose race it runs in (absent for a top-level task). */
  readonly parent?: string;
  /** For a race: its alternatives' ids (absent for other tasks). */
  readonly race?: readonly string[];
  /**
   * What the application keeps with the task to rebuild its work when the run resumes, as JSON
   * data; the scheduler never reads it. The CLI keeps a spawned child's workload task here (its
   * command or module, config, resources...), so a resumed run re-creates its run as the
   * workload's tasks are made. Absent for the rest, and in stores written before it existed.
   */
  readonly work?: unknown;
}

/** An error as a store keeps it. */
export interface StoredError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
  readonly code?: string | undefined;
}

/** One step in a task's life, in the order the supervisor took them. */
export type TaskTransition =
  | { readonly kind: 'ready'; readonly id: string; readonly at: number }
  | { readonly kind: 'started'; readonly id: string; readonly at: number; readonly attempt: number }
  /** The attempt's work became active, for an executor that reports it (`Executor.reportsActive`). */
  | { readonly kind: 'active'; readonly id: string; readonly at: number; readonly attempt: number }
  | { readonly kind: 'retrying'; readonly id: string; readonly at: number; readonly attempt: number; readonly retryAt: number; readonly error: StoredError }
  | { readonly kind: 'priority'; readonly id: string; readonly at: number; readonly priority: TaskPriority }
  /**
   * With `cacheKey` for a cacheable task (its dependents' keys are made of it); `cached` when it
   * completed from the history without running: a resumed run does not ask the history again.
   */
  | { readonly kind: 'completed'; readonly id: string; readonly at: number; readonly result: unknown; readonly cacheKey?: string; readonly cached?: boolean }
  | { readonly kind: 'failed'; readonly id: string; readonly at: number; readonly error: StoredError }
  | { readonly kind: 'cancelled'; readonly id: string; readonly at: number; readonly reason: string }
  /**
   * The scheduler's `stop()` stopped this attempt (a Ctrl-C, a shutdown): not the work's failure,
   * so it is handed back. A resumed run starts the task again and does not count this attempt
   * against its retries. An attempt cut short by a crash records nothing then: it is found
   * running when the run resumes (see `interrupted`).
   */
  | { readonly kind: 'stopped'; readonly id: string; readonly at: number; readonly attempt: number }
  /**
   * A resumed run found this attempt running with its work gone (its scheduler's process died: a
   * kill -9, a power loss; a distributed job no node holds). Not the work's failure: the task
   * waits again without using a retry, counted against its `maxInterruptions` instead (past it
   * the task fails, and a `failed` transition follows).
   */
  | { readonly kind: 'interrupted'; readonly id: string; readonly at: number; readonly attempt: number }
  /**
   * Its work returned (`result`) while children it spawned had not all completed, or (attempt 0)
   * its race started: it waits for them (`pendingReason` `children`), holding no worker. A resumed
   * run waits again, and never runs the work again.
   */
  | { readonly kind: 'awaiting'; readonly id: string; readonly at: number; readonly attempt: number; readonly result: unknown };

/** A task's state folded from its transitions: enough to rebuild its actor. */
export interface StoredTaskState {
  readonly task: StoredTask;
  readonly priority: TaskPriority;
  /** `running` here means: running when last recorded (after a crash, an interrupted attempt). */
  readonly status: TaskStatus;
  readonly pendingReason: Extract<PendingReason, 'dependencies' | 'queued' | 'backoff' | 'children'> | undefined;
  /** Runs started. */
  readonly attempt: number;
  /** Of those, the ones a stop of the scheduler handed back (`stopped`): they do not count against its retries. */
  readonly stoppedAttempts: number;
  /** Of those, the ones a resumed run found interrupted by a crash (`interrupted`): counted against `maxInterruptions`, not its retries. */
  readonly interruptedAttempts: number;
  /** When the next run may start, while in backoff (clock ms). */
  readonly retryAt: number | undefined;
  readonly readyAt: number | undefined;
  readonly startedAt: number | undefined;
  /**
   * When the running attempt's work became active (an `active` transition); undefined when none
   * was recorded: the attempt was still dispatched (waiting for a worker) if its executor
   * reports activity, and active from its start otherwise.
   */
  readonly activeAt: number | undefined;
  readonly completedAt: number | undefined;
  readonly result: unknown;
  readonly error: StoredError | undefined;
  readonly cancelReason: string | undefined;
  /** A completed cacheable task's key (see the `completed` transition). */
  readonly cacheKey?: string | undefined;
  /** It completed from the history without running. */
  readonly cached?: boolean;
}

/**
 * Where a scheduler records every accepted task and every transition, so that a run can be
 * rebuilt (see `restoreTaskSnapshot`). The in-memory store serves tests and embedding; a durable
 * store (SQLite) keeps the same records in a file.
 *
 * @example
 * const store = memoryTaskStore();
 * createScheduler({ store });
 * store.load(); // every task's folded state
 */
export interface TaskStore {
  /**
   * Records an accepted batch, all or nothing. A durable store has committed it (and every
   * transition recorded before it) when this returns: `scheduleTask(s)` returns after it.
   */
  addTasks(tasks: readonly StoredTask[]): void;
  /** Records one transition; a durable store may hold it until {@link TaskStore.commit}. */
  record(transition: TaskTransition): void;
  /**
   * Forgets finished tasks the scheduler no longer keeps (maxFinishedRecords). A durable store
   * may keep them: they are the run's history, and what lets a resubmitted batch find its tasks.
   */
  forget(ids: readonly string[]): void;
  /** Every task's state, in submission order. */
  load(): StoredTaskState[];
  /**
   * Makes every transition recorded so far durable. The scheduler calls it before anything that
   * follows from a transition is seen (work starts, events, `waitForTask`, `onIdle`) and once per
   * tick otherwise. A store that writes at once needs none.
   */
  commit?(): void;
}
