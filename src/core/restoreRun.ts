import { AttemptInterruptedError, TaskNotRecoverableError } from '../errors.js';
import type { AttemptOutcome } from './Executor.js';
import type { StoredError, StoredTaskState } from './TaskStore.js';
import type { RecoveredRun, TaskRun } from '../types.js';
import { UNSTARTED, type TaskEntry } from './TaskEntry.js';

// The pure parts of restoring a run from its store; Supervisor's #restore applies them.

/** What restoring needs besides the stored tasks. */
export interface RestoreOptions {
  /** Work functions by task type: how tasks whose work was a closure resume. */
  readonly handlers: Readonly<Record<string, TaskRun<any>>>;
  /** The scheduler's `maxInterruptions`: the budget of a stored task that names none (stored before it existed). */
  readonly maxInterruptions: number;
  /** Called with what was recovered, once the interrupted attempts have been reported. */
  readonly onRestored: (run: RecoveredRun) => void;
}

/**
 * Work of a recovered task whose `run` closure is gone: a placeholder the scheduler replaces when
 * the task is scheduled again with its run, and fails the task with otherwise (it never runs).
 */
export const MISSING_WORK: TaskRun<any> = (context) => {
  throw new TaskNotRecoverableError(context.task.id, context.task.type);
};

/** A stored error as an Error again: its name, message, stack and code. */
export function fromStoredError(stored: StoredError | undefined): Error | undefined {
  if (stored === undefined) return undefined;
  const error = new Error(stored.message);
  error.name = stored.name;
  if (stored.stack !== undefined) error.stack = stored.stack;
  if (stored.code !== undefined) Object.assign(error, { code: stored.code });
  return error;
}

/**
 * An entry for a stored task: its spec, its folded state, and the work it resumes with. A
 * finished task's entry carries its output as its machine would have ended with it; a live
 * task's attempts and last error go to its machine's context (the supervisor's #restore).
 */
export function toEntry(state: StoredTaskState, run: TaskRun<any>): TaskEntry {
  // Field by field (not a spread): 100k recovered tasks, one object shape with admitted ones.
  const stored = state.task;
  const handedBack = state.stoppedAttempts + state.interruptedAttempts;
  const entry: TaskEntry = {
    id: stored.id,
    name: stored.name,
    type: stored.type,
    priority: state.priority,
    seq: stored.seq,
    // Attempts a stop or a crash handed back do not count: the budget grows by as many.
    retry: handedBack === 0 ? stored.retry : { ...stored.retry, attempts: stored.retry.attempts + handedBack },
    dependencies: stored.dependencies,
    resources: stored.resources,
    hasResources: Object.keys(stored.resources).length > 0,
    group: stored.group,
    estimateMs: stored.estimateMs,
    estimateSource: stored.estimateMs === undefined ? undefined : 'declared',
    // A store keeps no identity for the history: given back when the task is scheduled again with
    // its spec (Supervisor.resubmitted); until then it is neither planned from it nor taught to it.
    runs: undefined,
    enforceMemory: false,
    config: stored.config,
    run,
    timeoutMs: stored.timeoutMs,
    createdAt: stored.createdAt,
    dependencyDeadline: stored.dependencyDeadline,
    readyAt: state.readyAt ?? Number.NaN,
    startedAt: state.startedAt,
    completedAt: state.completedAt,
    parent: stored.parent,
    // A store keeps no `idempotent`: scheduled again, the task gets it back (Supervisor.resubmitted).
    idempotent: false,
    ...UNSTARTED,
    cache: stored.cache,
    cacheKey: state.cacheKey,
    // A completed task was asked already; a pending one is asked when it is ready.
    cacheAsked: state.status === 'completed',
    cached: state.cached === true,
  };
  const { status } = state;
  if (status === 'completed' || status === 'failed' || status === 'cancelled') {
    entry.output = { status, result: state.result, error: fromStoredError(state.error), attempts: state.attempt, cancelReason: state.cancelReason };
  }
  return entry;
}

/**
 * The finished tasks whose records the registry would drop at once (past `maxFinishedRecords`,
 * oldest first), and that no live task depends on: recovery skips building them. The store and
 * the journal keep them, so scheduling them again still adds nothing.
 */
export function droppedRecords(states: readonly StoredTaskState[], limit: number): Set<string> {
  const isFinished = (state: StoredTaskState): boolean => state.status === 'completed' || state.status === 'failed' || state.status === 'cancelled';
  let surplus = states.filter(isFinished).length - limit;
  const dropped = new Set<string>();
  if (surplus <= 0) return dropped;
  const neededByLive = new Set(states.filter((state) => !isFinished(state)).flatMap((state) => state.task.dependencies));
  for (const state of states) {
    if (surplus <= 0) break;
    if (!isFinished(state) || neededByLive.has(state.task.id)) continue;
    dropped.add(state.task.id);
    surplus--;
  }
  return dropped;
}

/** How many times a recovered task was interrupted before, and how many interruptions it may have. */
export interface InterruptionBudget {
  readonly before: number;
  readonly max: number;
}

/**
 * Whether an adopted attempt's outcome says its work did not survive the last scheduler: an
 * AttemptInterruptedError as such. A subclass names another loss (a worker lost while the job
 * ran, `WorkerLostError`), which fails the attempt as it would in a live run.
 */
export function isLostWithScheduler(outcome: AttemptOutcome): boolean {
  return !outcome.ok && Object.getPrototypeOf(outcome.error) === AttemptInterruptedError.prototype;
}
