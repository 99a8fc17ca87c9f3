import type { AttemptInterruptedError } from '../errors.js';
import type { TaskRecord, TaskRun, TaskSpec } from '../types.js';
import type { MeasuredUsage } from '../usageTypes.js';

/** One attempt of a task, as the supervisor hands it to an {@link Executor}. */
export interface Attempt {
  readonly taskId: string;
  /** 1 for the first run, counting every run. */
  readonly attempt: number;
  readonly type: string;
  readonly config: unknown;
  /** The work: the task's own `run`, or the handler registered for its type. */
  readonly run: TaskRun<any>;
  /** The task's record as it is now (built on demand: most work never reads it). */
  record(): TaskRecord;
  /** Tells the scheduler which node the attempt went to (an executor with nodes calls it). */
  placed(node: string): void;
  /**
   * Tells the scheduler the attempt's work is active now (a worker took its job). Only an
   * executor with {@link Executor.reportsActive} calls it, before the outcome of work that ran; a
   * failure reported before it means the work never ran (it could not be started, its job was
   * gone), and the attempt is not announced as started. A late or repeated call changes nothing.
   */
  active(): void;
  /**
   * What the attempt's work measured of itself (peak memory, CPU time); the latest call before
   * its outcome counts. The inline executor hands it to the work as `ctx.reportUsage`.
   */
  measured?(usage: MeasuredUsage): void;
  /**
   * Schedules `specs` as the task's children (the work's `ctx.spawn`): returns their ids, or
   * throws and schedules nothing. Valid while the attempt runs.
   */
  spawn(specs: readonly TaskSpec<any>[]): string[];
}

/**
 * How an attempt ended: its result, or the error it failed with; `usage`, what its work measured
 * of itself where that happened elsewhere (a worker process of a distributed run). `spawned`:
 * children its work spawned where no scheduler runs (a distributed worker), sent back with the
 * result: the supervisor schedules them as the task's children before it takes the result (a
 * refused spawn fails the attempt).
 */
export type AttemptOutcome = (
  | { readonly ok: true; readonly result: unknown; readonly spawned?: readonly TaskSpec<any>[] }
  | { readonly ok: false; readonly error: Error }
) & {
  readonly usage?: MeasuredUsage;
};

/**
 * Where outcomes go: keyed by task id and attempt, not by a live object, so an outcome that
 * arrives after the process that started the attempt was restarted still finds its task (and
 * a late or duplicate one is ignored by the task machine's attempt guard).
 */
export type OutcomeSink = (taskId: string, attempt: number, outcome: AttemptOutcome) => void;

/**
 * Runs attempts. The supervisor decides what runs when; an executor decides where: inline on
 * this thread, in a worker thread, as a process, or as a job on another machine.
 *
 * @example
 * const executor: Executor = inlineExecutor();
 * executor.start(attempt, (taskId, n, outcome) => console.log(taskId, n, outcome));
 */
export interface Executor {
  readonly name: string;
  /**
   * True when an attempt may wait somewhere after `start` before its work runs (a job in a
   * remote queue, waiting for a worker): the executor then calls the attempt's `active()` when
   * it runs. Until then the task is `pending` with pendingReason `dispatched` (it holds its
   * worker slot and resources), `task:started` is not emitted, and its timeout does not count.
   * Absent or false: the work is active as soon as `start` is called.
   * @default false
   */
  readonly reportsActive?: boolean;
  /** Starts an attempt; its outcome goes to `report` exactly once, whenever it settles. */
  start(attempt: Attempt, report: OutcomeSink): void;
  /**
   * Stops a running attempt: a cancel or a timeout (`reason` says which). The work's AbortSignal
   * is aborted with `reason`; the outcome it still reports changes nothing.
   */
  abort(taskId: string, attempt: number, reason: Error): void;
  /**
   * Takes over an attempt that a task store says was running when its scheduler stopped (a crash,
   * a kill): report its outcome to `report` once. An executor whose work lived in the stopped
   * process reports {@link AttemptInterruptedError} at once; a remote one may re-attach to the
   * job, and reports that error (the class itself, not a subclass) when the job is gone. Either
   * way the scheduler counts the attempt as interrupted (against the task's `maxInterruptions`,
   * not its retries). Without `adopt`, the scheduler counts the attempt as interrupted itself.
   */
  adopt?(attempt: Attempt, report: OutcomeSink): void;
  /** Why a started attempt is not running yet (e.g. no node can take it); undefined when it runs. */
  explain?(taskId: string, attempt: number): string | undefined;
  /** The scheduler was paused or resumed: hand out no more work while paused. */
  setPaused?(paused: boolean): void;
  /** Attempts started whose outcome has not been reported. */
  readonly inFlight: number;
  /** Resolves once nothing is in flight (or at once when nothing is). */
  onSettled(): Promise<void>;
}
