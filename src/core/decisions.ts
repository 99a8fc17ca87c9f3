import type { TaskMachineEvent } from '../../machines/taskMachine.js';
import { TaskSchedulingError, UpstreamFailedError, type SchedulerError } from '../errors.js';
import type { Dag, DagProblem } from '../internal/Dag.js';
import type { QueuedTask } from '../types.js';
import { dependencyProblemToError } from './dependencyProblemToError.js';
import type { NormalizedTask } from './normalizeTaskSpec.js';
import { specField } from './specField.js';

// What the supervisor decides, as pure functions: each returns what to do and changes nothing;
// Supervisor.ts applies the answer. Retry and timeout are the task machine's own decisions
// (its guards canRetry, hasAttemptsLeft and retryDelayMs): the supervisor only arms the clock.

// ---------------------------------------------------------------- admission

/**
 * Whether a normalized batch may be admitted: a duplicate id (known already, or twice in the
 * batch), an unknown dependency, a cycle or a chain deeper than `maxDepth` is the error to throw;
 * undefined when the batch is fine. `list` names the specs in errors: `tasks`, `task` (one) or
 * `spawn`.
 *
 * @example
 * const error = checkBatch(batch, (id) => entries.has(id), dag, 10);
 * if (error) throw error;
 */
export function checkBatch(
  batch: readonly NormalizedTask[],
  isKnown: (id: string) => boolean,
  dag: Pick<Dag, 'check'>,
  maxDepth: number,
  list = 'tasks',
): SchedulerError | undefined {
  const seen = new Set<string>();
  for (const [i, task] of batch.entries()) {
    if (isKnown(task.id) || seen.has(task.id)) {
      const field = `${specField(batch, i, list)}.id`;
      return new TaskSchedulingError(`${field}: "${task.id}" is already used by another task`, field);
    }
    seen.add(task.id);
  }
  const problem = dag.check(batch, maxDepth);
  if (problem === undefined) return undefined;
  // A spawn's refusals are TaskSchedulingErrors naming the field: the work catches them as such,
  // a worker thread and isFinalFailure know them by that name (the same spawn would be refused again).
  return list === 'spawn' ? spawnDependencyError(problem, batch, maxDepth, list) : dependencyProblemToError(problem, maxDepth);
}

function spawnDependencyError(problem: DagProblem, batch: readonly NormalizedTask[], maxDepth: number, list: string): TaskSchedulingError {
  const id = problem.kind === 'cycle' ? (problem.path[0] as string) : problem.id;
  const at = batch.findIndex((task) => task.id === id);
  const task = batch[at];
  const dependency = problem.kind === 'unknown' ? problem.dependency : problem.kind === 'self' ? problem.id : undefined;
  const spec = specField(batch, at, list);
  // An alternative's dependencies include its race's, so an index would not be its spec's.
  const index = dependency === undefined || spec.includes('.race[') ? -1 : (task?.dependencies.indexOf(dependency) ?? -1);
  const field = `${spec}.dependencies${index < 0 ? '' : `[${index}]`}`;
  const { message } = dependencyProblemToError(problem, maxDepth);
  return new TaskSchedulingError(`${field}: ${message.replace(/^dependencies: /, '')}`, field);
}


/** A dependency that failed or was cancelled: its dependents follow it. */
export interface Upstream {
  readonly id: string;
  readonly outcome: 'failed' | 'cancelled';
}

/**
 * The first dependency that already failed or was cancelled, if any: a task admitted (or
 * recovered) after it never runs.
 *
 * @example
 * abandonedUpstream(['a', 'b'], (id) => (id === 'b' ? 'failed' : undefined)); // { id: 'b', outcome: 'failed' }
 */
export function abandonedUpstream(dependencies: readonly string[], outcomeOf: (id: string) => string | undefined): Upstream | undefined {
  for (const id of dependencies) {
    const outcome = outcomeOf(id);
    if (outcome === 'failed' || outcome === 'cancelled') return { id, outcome };
  }
  return undefined;
}

// ---------------------------------------------------------------- the cascade

/**
 * What a live dependent of an abandoned task is sent: cancelled with it, or failed with an
 * {@link UpstreamFailedError}; its work never runs.
 *
 * @example
 * dependentEvent('report', { id: 'build', outcome: 'cancelled' }); // { type: 'task.cancel', reason: 'dependency "build" was cancelled' }
 */
export function dependentEvent(dependentId: string, upstream: Upstream): TaskMachineEvent {
  return upstream.outcome === 'cancelled'
    ? { type: 'task.cancel', reason: `dependency "${upstream.id}" was cancelled` }
    : { type: 'task.upstreamFailed', error: new UpstreamFailedError(dependentId, upstream.id) };
}

// ---------------------------------------------------------------- an attempt's end

/** What the end of an attempt asks of the supervisor besides giving back its slot and resources. */
export interface AttemptEnd {
  /** The executor must stop the work, and why: cancelled, or out of time. */
  readonly abort: 'cancel' | 'timeout' | 'upstream' | undefined;
  /** Pump now: its slot is free and nothing else will pump (a success's end pumps when it settles). */
  readonly pumpNow: boolean;
}

const SUCCEEDED: AttemptEnd = Object.freeze({ abort: undefined, pumpNow: false });
const FAILED: AttemptEnd = Object.freeze({ abort: undefined, pumpNow: true });
const UPSTREAM_FAILED: AttemptEnd = Object.freeze({ abort: 'upstream' as const, pumpNow: true });
const CANCELLED: AttemptEnd = Object.freeze({ abort: 'cancel' as const, pumpNow: true });
const TIMED_OUT: AttemptEnd = Object.freeze({ abort: 'timeout' as const, pumpNow: true });

/**
 * What ends an attempt, by the event that ended it: a success, a failure, an interruption (the
 * work died with its scheduler) or work that returned with children open leaves nothing to stop;
 * a cancel stops it; a child's failure stops it with that failure; anything else (its timeout)
 * stops it for lack of time.
 * Returns shared constants: no allocation per attempt.
 *
 * @example
 * attemptEndOf('task.cancel'); // { abort: 'cancel', pumpNow: true }
 */
export function attemptEndOf(eventType: string): AttemptEnd {
  switch (eventType) {
    case 'task.succeed':
      return SUCCEEDED;
    case 'task.fail':
    case 'task.interrupted':
    // The work returned with children open: nothing to stop, and its slot is free now.
    case 'task.awaitChildren':
      return FAILED;
    // A child failed while the work still ran: it is stopped with the child's failure.
    case 'task.upstreamFailed':
      return UPSTREAM_FAILED;
    case 'task.cancel':
      return CANCELLED;
    default:
      return TIMED_OUT;
  }
}

/**
 * Whether an attempt's failure is final, retries left or not: the scheduler refused the task's
 * own input (a spawn, a command's `XENO_SPAWN_FILE`), and the same input would be refused again.
 * Decided by the error's name, which survives a worker thread's or a remote worker's boundary;
 * an error the work made of a refusal it caught is its own, and retried as any failure.
 *
 * @example
 * isFinalFailure(new TaskSchedulingError('task "p" cannot spawn 4 children: …', 'spawn')); // true
 */
export function isFinalFailure(error: Error): boolean {
  return error.name === 'TaskSchedulingError' || error.name === 'ConfigurationError';
}

// ---------------------------------------------------------------- dispatch

/** How many ready tasks the dispatcher looks past a blocked one for a task that fits. */
export const SCAN_LIMIT = 64;

/** A running task as backfilling sees it: when it should end and what it then gives back. */
export interface RunningEstimate {
  readonly startedAt: number | undefined;
  readonly estimateMs: number | undefined;
  readonly resources: Readonly<Record<string, number>>;
}

/** What one dispatch decision reads: the queue, the pools and the workers, never changed here. */
export interface DispatchView<T extends QueuedTask = QueuedTask> {
  /** Worker slots free now. */
  readonly freeWorkers: number;
  /** The best-ranked ready task; undefined while the policy holds the free workers (see `ReadyQueue.isHolding`). */
  head(): T | undefined;
  /** Up to `limit` ready tasks in dispatch order. */
  ordered(limit: number): readonly T[];
  /** Free amount of a pool now. */
  free(name: string): number;
  /** Lower-ranked tasks may use reserved resources when they end before the blocked one could start. */
  readonly backfill: boolean;
  readonly now: number;
  /** Running tasks that hold resources (for backfilling's shadow time). */
  running(): Iterable<RunningEstimate>;
}

/** The next step of the dispatch loop. */
export type DispatchDecision<T extends QueuedTask = QueuedTask> =
  /** Start this task now; `passedOver` ranked above it but lack resources. */
  | { readonly kind: 'start'; readonly task: T; readonly passedOver: readonly T[] }
  /**
   * Nothing more starts: `blocked` lack resources, and `reserved` (what they need) is held back
   * from every task ranked below them, so a stream of small tasks cannot starve a large one.
   */
  | { readonly kind: 'wait'; readonly reserved: ReadonlyMap<string, number>; readonly blocked: readonly T[] }
  /** No worker is free, nothing is ready, or the policy holds the free workers. */
  | { readonly kind: 'idle' };

const IDLE = Object.freeze({ kind: 'idle' as const });
const NONE: readonly never[] = Object.freeze([]);

function fits(request: Readonly<Record<string, number>>, view: Pick<DispatchView, 'free'>, reserved?: ReadonlyMap<string, number>): boolean {
  for (const name in request) {
    // A request of 0 always fits, even where reservations exceed what is free.
    const amount = request[name] as number;
    if (amount > 0 && amount > view.free(name) - (reserved?.get(name) ?? 0)) return false;
  }
  return true;
}

/**
 * Decides the next dispatch step, as a pure function of a {@link DispatchView}: the head starts
 * if its resources are free; else the first task ranked after it that fits what is left once
 * every task ranked above it has its request reserved (or, with backfill, that ends before the
 * head could start); else nothing starts and the reservations stand. The supervisor applies the
 * decision and asks again until it is not `start`.
 *
 * @example
 * const decision = nextDispatch(view);
 * if (decision.kind === 'start') dispatch(decision.task.id);
 */
export function nextDispatch<T extends QueuedTask>(view: DispatchView<T>): DispatchDecision<T> {
  if (view.freeWorkers <= 0) return IDLE;
  const head = view.head();
  if (head === undefined) return IDLE;
  if (fits(head.resources, view)) return { kind: 'start', task: head, passedOver: NONE };
  const candidates = view.ordered(SCAN_LIMIT);
  const reserved = new Map<string, number>();
  const blocked: T[] = [];
  let shadow: number | undefined;
  for (const candidate of candidates) {
    if (fits(candidate.resources, view, reserved)) return { kind: 'start', task: candidate, passedOver: blocked };
    if (view.backfill && candidate.estimateMs !== undefined && fits(candidate.resources, view)) {
      shadow ??= shadowTime(head, view);
      if (view.now + candidate.estimateMs <= shadow) return { kind: 'start', task: candidate, passedOver: blocked };
    }
    blocked.push(candidate);
    for (const name in candidate.resources) {
      reserved.set(name, (reserved.get(name) ?? 0) + (candidate.resources[name] as number));
    }
  }
  return { kind: 'wait', reserved, blocked };
}

/**
 * The earliest time the blocked head could start (EASY backfilling's "shadow time"): running
 * tasks give back their resources at their estimated ends, in order, until the head's request
 * fits. A running task without an estimate makes the time unknown (-Infinity: nothing backfills).
 *
 * @example
 * shadowTime(head, view); // e.g. 1_200 (clock ms)
 */
export function shadowTime(head: QueuedTask, view: Pick<DispatchView, 'free' | 'running'>): number {
  const ends: { at: number; resources: Readonly<Record<string, number>> }[] = [];
  for (const task of view.running()) {
    if (task.estimateMs === undefined || task.startedAt === undefined) return -Infinity;
    ends.push({ at: task.startedAt + task.estimateMs, resources: task.resources });
  }
  ends.sort((a, b) => a.at - b.at);
  const freed = new Map<string, number>();
  for (const end of ends) {
    for (const name in end.resources) freed.set(name, (freed.get(name) ?? 0) + (end.resources[name] as number));
    const fitsThen = Object.entries(head.resources).every(([name, amount]) => amount <= view.free(name) + (freed.get(name) ?? 0));
    if (fitsThen) return end.at;
  }
  return -Infinity;
}
