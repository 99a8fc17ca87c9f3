// The critical-path policy and its lookahead as they were before the lookahead was made fast
// (git show aa3dc30:src/policies/createLookahead.ts and criticalPathPolicy.ts), rolling out with
// referenceMakespan: the straightforward reference the property tests compare the policy with. Do not optimise.
import type { PolicyContext, QueuedTask, ReadyQueue, SchedulingPolicy } from '../../src/types.js';
import { createUpwardRank } from '../../src/policies/createUpwardRank.js';
import { heapQueue } from '../../src/policies/heapQueue.js';
import { InvalidOptionsError } from '../../src/errors.js';
import type { PlanState } from '../../src/policies/estimateMakespan.js';
import { referenceMakespan as estimateMakespan } from './referenceMakespan.js';

/** Above this many unfinished tasks the lookahead steps aside: its rollouts cost O(tasks) each. */
const LOOKAHEAD_TASK_LIMIT = 2000;

/** How the lookahead is set: the scheduler's workers and pools, and how many candidates it tries. */
interface Lookahead {
  readonly maxWorkers: number;
  readonly capacity: Readonly<Record<string, number>> | undefined;
  readonly width: number;
  /** Whether leaving the free workers idle until the next end is a candidate too. */
  readonly canHold: boolean;
}

/** What the lookahead decided: the task to start next, or to start nothing until a running task ends. */
interface LookaheadChoice {
  /** The best start (the head of the queue even while holding). */
  readonly task: QueuedTask | undefined;
  /** True when starting nothing until the next end makes a plan that ends at the critical-path bound, and no start does. */
  readonly isHolding: boolean;
}

/** The earliest the run can end by its chains alone: each running or ready task's end plus its dependents' longest chain. */
function criticalBound(state: PlanState): number {
  let bound = state.now;
  for (const run of state.running) bound = Math.max(bound, run.end + state.rankOf(run.id) - state.estimateOf(run.id));
  for (const id of state.ready) bound = Math.max(bound, state.now + state.rankOf(id));
  return bound;
}

/**
 * The critical-path lookahead's view of a run: every task it has seen (walking dependents from
 * each ranked task), what runs since when, what is done; `choose` picks the next start among
 * the best-ranked startable tasks, or none, by rollout (see `criticalPathPolicy`).
 *
 * @example
 * const lookahead = createLookahead(context);
 * lookahead.discover('a');
 * lookahead.choose(readyInRankOrder, { maxWorkers: 4, capacity: undefined, width: 5, canHold: true }, rankOf);
 */
function createLookahead(context: PolicyContext) {
  const dependencies = new Map<string, Set<string>>();
  const running = new Map<string, { end: number; resources: Readonly<Record<string, number>> }>();
  const resources = new Map<string, Readonly<Record<string, number>>>();
  const done = new Set<string>();
  const estimateOf = (id: string): number => context.estimateOf(id) ?? 0;

  const discover = (root: string): void => {
    const stack = [root];
    if (!dependencies.has(root)) dependencies.set(root, new Set());
    while (stack.length > 0) {
      const id = stack.pop() as string;
      for (const dependent of context.dependentsOf(id)) {
        let known = dependencies.get(dependent);
        if (known === undefined) {
          known = new Set();
          dependencies.set(dependent, known);
          stack.push(dependent);
        }
        known.add(id);
      }
    }
  };

  const choose = (ready: QueuedTask[], lookahead: Lookahead, rankOf: (id: string) => number): LookaheadChoice => {
    const best = ready[0];
    for (const task of ready) resources.set(task.id, task.resources);
    if (best === undefined || dependencies.size - done.size > LOOKAHEAD_TASK_LIMIT) return { task: best, isHolding: false };
    const now = context.now();
    const waitingOn = new Map<string, number>();
    const state: PlanState = {
      now,
      maxWorkers: lookahead.maxWorkers,
      capacity: lookahead.capacity,
      running: [...running].map(([id, run]) => ({ id, ...run })),
      ready: ready.map((task) => task.id),
      waitingOn,
      rankOf,
      estimateOf,
      resourcesOf: (id: string) => resources.get(id) ?? context.resourcesOf?.(id) ?? {},
      dependentsOf: context.dependentsOf,
    };
    const isQueued = new Set(state.ready);
    for (const [id, needs] of dependencies) {
      if (done.has(id) || running.has(id) || isQueued.has(id)) continue;
      waitingOn.set(id, [...needs].filter((need) => !done.has(need)).length);
    }
    // The tasks the pump could start now: each fits in what is free minus the requests of the
    // blocked tasks ranked before it (their reservations).
    const used = new Map<string, number>();
    for (const run of running.values()) for (const name in run.resources) used.set(name, (used.get(name) ?? 0) + (run.resources[name] as number));
    const candidates: QueuedTask[] = [];
    for (const task of ready) {
      if (candidates.length === lookahead.width) break;
      const capacity = lookahead.capacity;
      if (capacity === undefined || Object.entries(task.resources).every(([name, amount]) => amount + (used.get(name) ?? 0) <= (capacity[name] ?? 0))) {
        candidates.push(task);
      } else {
        for (const name in task.resources) used.set(name, (used.get(name) ?? 0) + (task.resources[name] as number));
      }
    }
    // Holding is worth a rollout only while a worker is free and something runs to end it.
    const canHold = lookahead.canHold && running.size > 0 && running.size < lookahead.maxWorkers && candidates.length > 0;
    if (candidates.length < 2 && !canHold) return { task: best, isHolding: false };
    let chosen = best;
    let shortest = Number.POSITIVE_INFINITY;
    for (const candidate of candidates) {
      const makespan = estimateMakespan(state, candidate.id);
      if (makespan < shortest) {
        shortest = makespan;
        // One candidate: the head stays, and the pump finds the candidate behind it as before.
        if (candidates.length > 1) chosen = candidate;
      }
    }
    if (!canHold) return { task: chosen, isHolding: false };
    // An idle worker only for a plan strictly shorter than every start and ending at the
    // critical-path bound (no schedule ends sooner): holding for any shorter plan lost more
    // runs than it won on the random DAGs of the benchmark.
    const held = estimateMakespan(state, undefined);
    return { task: chosen, isHolding: held < shortest && held <= criticalBound(state) };
  };

  return {
    discover,
    choose,
    started: (task: QueuedTask): void => {
      done.delete(task.id);
      running.set(task.id, { end: context.now() + estimateOf(task.id), resources: task.resources });
    },
    finished: (id: string): void => {
      running.delete(id);
      done.add(id);
    },
  };
}

/** What the lookahead needs to know of the scheduler: its workers and pools. */
interface SchedulerSetting {
  /** Worker slots. */
  readonly maxWorkers: number;
  /** Pool capacities. @default unknown: every request counts as fitting */
  readonly capacity?: Readonly<Record<string, number>>;
}

/** A policy context that tells the setting (the scheduler's own does; see {@link criticalPathPolicy}). */
type SettingContext = PolicyContext & Partial<SchedulerSetting>;

/** Options of {@link criticalPathPolicy}. */
interface CriticalPathPolicyOptions {
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
export function referenceCriticalPathPolicy(options: CriticalPathPolicyOptions = {}): SchedulingPolicy {
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
