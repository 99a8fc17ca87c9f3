import type { PolicyContext, QueuedTask, ReadyQueue, SchedulingPolicy } from '../types.js';
import { createUpwardRank } from './createUpwardRank.js';
import { createLookahead, type Lookahead, type LookaheadChoice } from './createLookahead.js';
import { heapQueue } from './heapQueue.js';
import { InvalidOptionsError } from '../errors.js';

/** What the lookahead needs to know of the scheduler: its workers and pools. */
export interface SchedulerSetting {
  /** Worker slots. */
  readonly maxWorkers: number;
  /** Pool capacities. @default unknown: every request counts as fitting */
  readonly capacity?: Readonly<Record<string, number>>;
}

/** A policy context that tells the setting (the scheduler's own does; see {@link criticalPathPolicy}). */
export type SettingContext = PolicyContext & Partial<SchedulerSetting>;

/** Options of {@link criticalPathPolicy}. */
export interface CriticalPathPolicyOptions {
  /** See {@link SchedulingPolicy.backfill}. @default false */
  readonly backfill?: boolean;
  /**
   * Ready tasks, best ranked first, that the lookahead compares (each by a rollout); `0` or `1`
   * turns it off. @default 5
   */
  readonly lookahead?: number;
  /**
   * Whether the lookahead may also leave the free workers idle until a running task ends, when
   * its rollout shows that ends the run sooner than any start (see {@link ReadyQueue.isHolding}).
   * @default true
   */
  readonly canHoldWorkers?: boolean;
  /** The setting the lookahead plans for. @default the queue's context's `maxWorkers` and `capacity` (the scheduler's own) */
  readonly setting?: SchedulerSetting;
}

/**
 * Critical path first (the list-scheduling half of HEFT) with a one-step lookahead: the ready
 * task with the largest upward rank (its estimate plus the longest chain of estimates through its
 * dependents, see {@link createUpwardRank}) runs first, ties by priority, then the task with
 * more dependents, then submission order;
 * but when the setting is known (the scheduler's policy context tells its workers and pools), the
 * `lookahead` best-ranked ready tasks that the pump could start are each tried
 * as the next start, the rest of the run is list-scheduled by rank from there with estimates
 * ({@link estimateMakespan}), and the one with the shortest estimated makespan starts (ties keep
 * rank order). Starting nothing until the next end is tried too, and wins only when its plan is
 * shorter than every start's and ends at the critical-path bound (`canHoldWorkers`). This is a
 * rollout, decided online at each dispatch, not a search over schedules.
 *
 * A task is ranked the first time the queue is read after it was pushed, from the dependency
 * graph as it is then; tasks scheduled later do not re-rank tasks already queued.
 *
 * @example
 * createScheduler({ policy: 'critical-path', maxWorkers: 4 }); // plans for its 4 workers
 * criticalPathPolicy({ lookahead: 0 }); // rank order alone
 */
export function criticalPathPolicy(options: CriticalPathPolicyOptions = {}): SchedulingPolicy {
  const width = options.lookahead ?? 5;
  if (!Number.isInteger(width) || width < 0) {
    throw new InvalidOptionsError(`criticalPathPolicy: expected lookahead to be an integer >= 0, received ${String(options.lookahead)}`, 'lookahead');
  }
  let hooks: Pick<SchedulingPolicy, 'onStart' | 'onFinish'> = {};
  return {
    name: 'critical-path',
    backfill: options.backfill ?? false,
    createQueue: (context: SettingContext) => {
      const maxWorkers = options.setting?.maxWorkers ?? context.maxWorkers;
      const capacity = options.setting?.capacity ?? context.capacity;
      const canHold = options.canHoldWorkers ?? true;
      const queue = rankedQueue(context, width > 1 && maxWorkers !== undefined ? { maxWorkers, capacity, width, canHold } : undefined);
      hooks = queue;
      return queue;
    },
    onStart: (task) => hooks.onStart?.(task),
    onFinish: (task) => hooks.onFinish?.(task),
  };
}


function rankedQueue(context: PolicyContext, lookahead: Lookahead | undefined): ReadyQueue & Pick<SchedulingPolicy, 'onStart' | 'onFinish'> {
  const rankOf = createUpwardRank(context);
  const ranks = new Map<string, number>();
  const successors = (id: string): number => context.dependentsOf(id).length;
  // Equal ranks: priority, then the task with more dependents (it opens more work: CP/MISF), then seq.
  const queue = heapQueue(
    (a, b) => (ranks.get(b.id) ?? 0) - (ranks.get(a.id) ?? 0) || b.priority - a.priority || successors(b.id) - successors(a.id) || a.seq - b.seq,
  );
  // Pushed tasks are ranked when the queue is next read, so that tasks scheduled in the same
  // batch (and so their dependents) are in the graph by then.
  const unranked = new Map<string, QueuedTask>();
  const graph = lookahead === undefined ? undefined : createLookahead(context);
  let choice: LookaheadChoice | null = null; // null: to be decided again
  const ranked = (): ReadyQueue => {
    for (const task of unranked.values()) {
      ranks.set(task.id, rankOf(task.id, true));
      graph?.discover(task.id);
      queue.push(task);
    }
    unranked.clear();
    return queue;
  };
  const decide = (): LookaheadChoice => {
    const ready = ranked();
    if (graph === undefined || lookahead === undefined) return { task: ready.peek(), isHolding: false };
    choice ??= graph.choose(ready.ordered(ready.size), lookahead, (id) => ranks.get(id) ?? rankOf(id));
    return choice;
  };
  const head = (): QueuedTask | undefined => decide().task;
  const changed = <T>(value: T): T => ((choice = null), value);
  return {
    get size() {
      return queue.size + unranked.size;
    },
    get isHolding() {
      return decide().isHolding;
    },
    push: (task) => {
      if (unranked.has(task.id) || ranks.has(task.id)) throw new Error(`criticalPathPolicy: task "${task.id}" is already queued`);
      unranked.set(task.id, task);
      changed(undefined);
    },
    remove: (id) => {
      const isRemoved = unranked.delete(id) || queue.remove(id);
      ranks.delete(id);
      return changed(isRemoved);
    },
    update: (task) => changed(unranked.has(task.id) ? Boolean(unranked.set(task.id, task)) : queue.update(task)),
    peek: head,
    pop: () => {
      const task = head();
      if (task === undefined) return undefined;
      queue.remove(task.id);
      ranks.delete(task.id);
      return changed(task);
    },
    ordered: (limit) => {
      const first = head();
      const rest = ranked().ordered(limit + 1).filter((task) => task !== first);
      return (first === undefined ? rest : [first, ...rest]).slice(0, limit);
    },
    onStart: (task) => changed(graph?.started(task)),
    onFinish: (task) => changed(graph?.finished(task.id)),
  };
}
