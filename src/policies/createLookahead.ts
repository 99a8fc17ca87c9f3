import type { PolicyContext, QueuedTask } from '../types.js';
import { planRollouts, workBound, type PlanState } from './estimateMakespan.js';

/** Above this many unfinished tasks the lookahead steps aside: its rollouts cost O(tasks) each. */
export const LOOKAHEAD_TASK_LIMIT = 2000;

/** How the lookahead is set: the scheduler's workers and pools, and how many candidates it tries. */
export interface Lookahead {
  readonly maxWorkers: number;
  readonly capacity: Readonly<Record<string, number>> | undefined;
  readonly width: number;
  /** Whether leaving the free workers idle until the next end is a candidate too. */
  readonly canHold: boolean;
}

/** What the lookahead decided: the task to start next, or to start nothing until a running task ends. */
export interface LookaheadChoice {
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
export function createLookahead(context: PolicyContext) {
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
      let left = 0;
      for (const need of needs) if (!done.has(need)) left += 1;
      waitingOn.set(id, left);
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
    const estimateMakespan = planRollouts(state);
    let isAtBound: ((makespan: number) => boolean) | undefined;
    let chosen = best;
    let shortest = Number.POSITIVE_INFINITY;
    for (const candidate of candidates) {
      const makespan = estimateMakespan(candidate.id);
      if (makespan < shortest) {
        shortest = makespan;
        // One candidate: the head stays, and the pump finds the candidate behind it as before.
        if (candidates.length > 1) chosen = candidate;
        // A plan that ends at the work bound cannot be beaten (only a strictly shorter plan
        // wins, a start's or holding's): the other rollouts would not change the choice.
        isAtBound ??= workBound(state);
        if (isAtBound(shortest)) return { task: chosen, isHolding: false };
      }
    }
    if (!canHold) return { task: chosen, isHolding: false };
    // An idle worker only for a plan strictly shorter than every start and ending at the
    // critical-path bound (no schedule ends sooner): holding for any shorter plan lost more
    // runs than it won on the random DAGs of the benchmark.
    const held = estimateMakespan(undefined);
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
