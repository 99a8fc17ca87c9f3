import { AttemptInterruptedError, TaskNotRecoverableError } from '../errors.js';
import type { AttemptOutcome } from '../executors/Executor.js';
import type { StoredError, StoredTaskState } from '../stores/TaskStore.js';
import type { RecoveredRun, TaskRun } from '../types.js';
import type { Supervisor } from './Supervisor.js';
import { AttemptHandle } from './AttemptHandle.js';
import { isLive, UNSTARTED, type TaskEntry } from './TaskEntry.js';
import { newFamily } from './Family.js';
import { RACE_HAS_NO_WORK } from '../normalizeTaskSpec.js';

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

function toError(stored: StoredError | undefined): Error | undefined {
  if (stored === undefined) return undefined;
  const error = new Error(stored.message);
  error.name = stored.name;
  if (stored.stack !== undefined) error.stack = stored.stack;
  if (stored.code !== undefined) Object.assign(error, { code: stored.code });
  return error;
}

/** An entry for a stored task: its spec, its folded state, and the work it resumes with. */
function toEntry(state: StoredTaskState, run: TaskRun<any>): TaskEntry {
  // Field by field (not a spread): 100k recovered tasks, one object shape with admitted ones.
  const stored = state.task;
  const handedBack = state.stoppedAttempts + state.interruptedAttempts;
  return {
    id: stored.id,
    name: stored.name,
    type: stored.type,
    priority: state.priority,
    seq: stored.seq,
    attempts: state.attempt,
    // Attempts a stop or a crash handed back do not count: the budget grows by as many.
    maxAttempts: stored.retry.attempts + handedBack,
    retry: handedBack === 0 ? stored.retry : { ...stored.retry, attempts: stored.retry.attempts + handedBack },
    dependencies: stored.dependencies,
    resources: stored.resources,
    hasResources: Object.keys(stored.resources).length > 0,
    group: stored.group,
    estimateMs: stored.estimateMs,
    config: stored.config,
    run,
    timeoutMs: stored.timeoutMs,
    createdAt: stored.createdAt,
    dependencyDeadline: stored.dependencyDeadline,
    readyAt: state.readyAt ?? Number.NaN,
    startedAt: state.startedAt,
    completedAt: state.completedAt,
    result: state.result,
    error: toError(state.error),
    cancelReason: state.cancelReason,
    parent: stored.parent,
    ...UNSTARTED,
  };
}

/**
 * Rebuilds a run from its store (inside the scheduler actor, before any new task): finished tasks
 * come back as records with their status, result and error; pending ones get a live actor in the
 * state they were in (waiting for dependencies, queued with their priority and submission order,
 * or in backoff until their stored retry deadline); an attempt that was running is handed to the
 * executor's `adopt`. One whose work is gone with the last scheduler (the inline executor's
 * always; a distributed job no node holds) is interrupted: journaled `interrupted`, and its task
 * queued again without using a retry while its interruptions stay within its `maxInterruptions`,
 * else failed with an AttemptInterruptedError naming the count. An attempt the last scheduler's
 * `stop()` stopped was handed back: its task is queued again, with one more attempt allowed for
 * each one handed back (as for each interruption). Dependency deadlines keep their stored times, and an adopted attempt's timeout its
 * stored start. Deadlines are re-armed here: XState restores neither `after` delays nor entry actions.
 *
 * @example
 * restoreRun(supervisor, store.load(), { handlers, onRestored: (run) => console.log(run.pending) });
 */
export function restoreRun(s: Supervisor, states: readonly StoredTaskState[], options: RestoreOptions): void {
  const dropped = droppedRecords(states, s.settings.maxFinishedRecords);
  const kept = dropped.size === 0 ? states : states.filter((state) => !dropped.has(state.task.id));
  const ids = new Set(kept.map((state) => state.task.id));
  // A dependency the store forgot (or whose record is dropped) had completed: had it failed, its
  // dependents would have too (and their dependencies are never dropped, see droppedRecords).
  s.graph.send({ type: 'graph.add', batch: kept.map(({ task }) => ({ id: task.id, dependencies: task.dependencies.filter((id) => ids.has(id)) })) });
  for (const { task, status } of kept) {
    if (status === 'completed') s.graph.send({ type: 'graph.completed', id: task.id });
    else if (status === 'failed' || status === 'cancelled') s.graph.send({ type: 'graph.abandoned', id: task.id, outcome: status });
  }
  const interrupted: TaskEntry[] = [];
  /** Each interrupted entry's budget: the interruptions stored before this one, and the most allowed. */
  const budgets = new Map<TaskEntry, InterruptionBudget>();
  const unrecoverable: TaskEntry[] = [];
  const waiting: TaskEntry[] = [];
  const ready: TaskEntry[] = [];
  const stopped: { id: string; attempt: number }[] = [];
  const finished = { completed: 0, failed: 0, cancelled: 0 };
  /** Children (in the store's order, which is their spawn order), and parents that wait for them. */
  const families: TaskEntry[] = [];
  const waitingForChildren: TaskEntry[] = [];
  for (const state of states) {
    const { task } = state;
    s.continueSeqAfter(task.seq);
    if (dropped.has(task.id)) {
      // Counted as finished, as a record the registry dropped is; never built.
      s.registry.counts[state.status]++;
      finished[state.status as 'completed']++;
      continue;
    }
    // A race's work is its alternatives: nothing to find.
    const handler = task.race !== undefined ? RACE_HAS_NO_WORK : Object.hasOwn(options.handlers, task.type) ? options.handlers[task.type] : undefined;
    const entry = toEntry(state, handler ?? MISSING_WORK);
    if (task.race !== undefined) entry.family = newFamily('race');
    s.registry.add(entry);
    if (entry.parent !== undefined) families.push(entry);
    if (state.status === 'completed' || state.status === 'failed' || state.status === 'cancelled') {
      s.registry.move('pending', state.status);
      entry.outcome = state.status;
      finished[state.status]++;
      s.registry.retain(entry.id);
      continue;
    }
    if (handler === undefined) unrecoverable.push(entry);
    // Its last step handed its attempt back (stores/wasStopped, read here through the interface only).
    if (state.status === 'pending' && state.attempt > 0 && state.startedAt === undefined) stopped.push({ id: entry.id, attempt: state.attempt });
    let value: 'running' | 'dispatched' | 'backoff' | 'queued' | 'dependencies' | 'children';
    if (state.pendingReason === 'children') {
      value = 'children';
      waitingForChildren.push(entry);
    } else if (state.status === 'running') {
      // An attempt whose executor reports activity and that was not reported active still waited
      // for a worker: it is adopted as dispatched, and becomes active when its executor says so.
      const isDispatched = s.settings.executor.reportsActive === true && state.activeAt === undefined;
      value = isDispatched ? 'dispatched' : 'running';
      if (isDispatched) entry.startedAt = undefined;
      interrupted.push(entry);
      budgets.set(entry, { before: state.interruptedAttempts, max: task.maxInterruptions ?? options.maxInterruptions });
    } else if (state.pendingReason === 'backoff' && state.retryAt !== undefined) {
      value = 'backoff';
      const retryAt = state.retryAt;
      s.lifecycle.armRetry(entry, retryAt);
    } else if (s.dag.isReady(entry.id)) {
      value = 'queued';
      if (Number.isNaN(entry.readyAt)) entry.readyAt = s.settings.clock.now();
      ready.push(entry);
    } else {
      value = 'dependencies';
      waiting.push(entry);
    }
    // A waiting task is admitted as a new one is (it may stay dormant); others get their actor as stored.
    if (value === 'queued' || value === 'dependencies') s.actors.admit(entry, value);
    else s.actors.restoreActor(entry, value === 'running' ? value : { pending: value });
  }
  if (s.registry.live > 0) s.waiters.busy();
  for (const child of families) rejoin(s, child);
  for (const entry of interrupted) holdRun(s, entry);
  for (const entry of waiting) {
    const upstream = s.lifecycle.abandonedUpstream(entry.dependencies);
    if (upstream) s.lifecycle.doom(entry, upstream.id, upstream.outcome);
    else if (entry.dependencyDeadline !== undefined) s.deadlines.arm(entry.id);
  }
  s.enqueue(ready);
  for (const parent of waitingForChildren) s.lifecycle.settleRestoredWait(parent);
  s.schedulePump();
  // After the caller's synchronous code (which may schedule the tasks again with their `run`),
  // and before the first dispatch pass: both were queued in this order.
  queueMicrotask(() => {
    for (const entry of interrupted) adopt(s, entry, budgets.get(entry) as InterruptionBudget);
    const lost = unrecoverable.filter((entry) => entry.run === MISSING_WORK && isLive(entry));
    for (const entry of lost) s.actors.send(entry, { type: 'task.upstreamFailed', error: new TaskNotRecoverableError(entry.id, entry.type) });
    s.outbox.flush();
    options.onRestored({
      tasks: states.length,
      finished,
      pending: states.length - finished.completed - finished.failed - finished.cancelled - interrupted.length,
      interrupted: interrupted.map((entry) => ({ id: entry.id, attempt: entry.attempts })),
      stopped,
      unrecoverable: lost.map((entry) => entry.id),
    });
  });
}

/**
 * The finished tasks whose records the registry would drop at once (past `maxFinishedRecords`,
 * oldest first), and that no live task depends on: recovery skips building them. The store and
 * the journal keep them, so scheduling them again still adds nothing.
 */
function droppedRecords(states: readonly StoredTaskState[], limit: number): Set<string> {
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

/** A recovered attempt (running, or dispatched) holds its worker slot and resources until its outcome arrives. */
/** A restored child joins its parent's family again (a finished child counts as ended). */
function rejoin(s: Supervisor, child: TaskEntry): void {
  const parent = s.registry.entries.get(child.parent as string);
  if (parent === undefined) return;
  const family = (parent.family ??= newFamily('spawn'));
  family.children.push(child.id);
  if (child.outcome === undefined) family.open++;
  else if (family.kind === 'race' && child.outcome !== 'completed') family.failures.push({ id: child.id, message: child.error?.message ?? child.outcome });
}

function holdRun(s: Supervisor, entry: TaskEntry): void {
  if (entry.ref?.getSnapshot().value === 'running') s.registry.move('pending', 'running');
  s.runningEntries.add(entry);
  entry.slot = s.slots.take();
  if (entry.hasResources && s.ledger.fits(entry.resources)) s.pool.send({ type: 'pool.allocate', owner: entry.id, request: entry.resources });
  try {
    s.settings.policy.onStart?.call(s.settings.policy, entry);
  } catch {
    // Accounting only: the attempt is recovered whatever the policy thinks of it.
  }
}

/** How many times a recovered task was interrupted before, and how many interruptions it may have. */
interface InterruptionBudget {
  readonly before: number;
  readonly max: number;
}

/**
 * Whether an adopted attempt's outcome says its work did not survive the last scheduler: an
 * AttemptInterruptedError as such. A subclass names another loss (a worker lost while the job
 * ran, `WorkerLostError`), which fails the attempt as it would in a live run.
 */
function isLostWithScheduler(outcome: AttemptOutcome): boolean {
  return !outcome.ok && Object.getPrototypeOf(outcome.error) === AttemptInterruptedError.prototype;
}

/**
 * A recovered attempt's work is gone with the last scheduler: journaled `interrupted`; the task
 * waits again without using a retry while within its budget, else fails naming the count.
 */
function interrupt(s: Supervisor, entry: TaskEntry, attempt: number, budget: InterruptionBudget): void {
  // Ended meanwhile (cancelled by the caller before adoption): nothing was interrupted.
  if (!isLive(entry) || entry.attempts !== attempt) return;
  const interruptions = budget.before + 1;
  const isWithin = interruptions <= budget.max;
  s.settings.store?.record({ kind: 'interrupted', id: entry.id, at: s.settings.clock.now(), attempt });
  // The record's budget, as the machine's grows (one more run for the attempt handed back).
  if (isWithin) (entry as { maxAttempts: number }).maxAttempts += 1;
  const error = new AttemptInterruptedError(entry.id, attempt, isWithin ? undefined : { interruptions, maxInterruptions: budget.max });
  s.actors.send(entry, { type: 'task.interrupted', attempt, interruptions, maxInterruptions: budget.max, error });
  s.outbox.flush();
}

/** Hands a recovered running attempt to the executor, or counts it interrupted (an executor that cannot adopt). */
function adopt(s: Supervisor, entry: TaskEntry, budget: InterruptionBudget): void {
  const { executor } = s.settings;
  const attempt = entry.attempts;
  if (executor.adopt === undefined) {
    interrupt(s, entry, attempt, budget);
    return;
  }
  // Its time counts from its stored start, as a live attempt's does from its start (a dispatched
  // one has none yet: its time starts when it becomes active). Armed first: an outcome the
  // executor gives at once ends the attempt, and with it this deadline.
  if (entry.timeoutMs > 0 && entry.startedAt !== undefined) {
    const dueIn = Math.max(0, entry.startedAt + entry.timeoutMs - s.settings.clock.now());
    s.lifecycle.armDeadline(entry, dueIn, { type: 'task.timeout', attempt });
  }
  executor.adopt(new AttemptHandle(s, entry, attempt), (taskId, reported, outcome) => {
    if (reported === attempt && isLostWithScheduler(outcome)) interrupt(s, entry, attempt, budget);
    else s.lifecycle.deliver(taskId, reported, outcome);
  });
}
