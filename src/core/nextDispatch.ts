import type { QueuedTask } from '../types.js';

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
