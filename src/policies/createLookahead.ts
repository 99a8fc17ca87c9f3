import type { PolicyContext, QueuedTask } from '../types.js';
import { estimateMakespan } from './estimateMakespan.js';

/** Above this many unfinished tasks the lookahead steps aside: its rollouts cost O(tasks) each. */
export const LOOKAHEAD_TASK_LIMIT = 2000;

/** How the lookahead is set: the scheduler's workers and pools, and how many candidates it tries. */
export interface Lookahead {
  readonly maxWorkers: number;
  readonly capacity: Readonly<Record<string, number>> | undefined;
  readonly width: number;
}

/**
 * The critical-path lookahead's view of a run: every task it has seen (walking dependents from
 * each ranked task), what runs since when, what is done; `choose` picks the next start among
 * the best-ranked startable tasks by rollout (see `criticalPathPolicy`).
 *
 * @example
 * const lookahead = createLookahead(context);
 * lookahead.discover('a');
 * lookahead.choose(readyInRankOrder, { maxWorkers: 4, capacity: undefined, width: 5 }, rankOf);
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

  const choose = (ready: QueuedTask[], lookahead: Lookahead, rankOf: (id: string) => number): QueuedTask | undefined => {
    const best = ready[0];
    for (const task of ready) resources.set(task.id, task.resources);
    if (best === undefined || dependencies.size - done.size > LOOKAHEAD_TASK_LIMIT) return best;
    const now = context.now();
    const state = {
      now,
      maxWorkers: lookahead.maxWorkers,
      capacity: lookahead.capacity,
      running: [...running].map(([id, run]) => ({ id, ...run })),
      ready: ready.map((task) => task.id),
      waitingOn: new Map<string, number>(),
      rankOf,
      estimateOf,
      resourcesOf: (id: string) => resources.get(id) ?? {},
      dependentsOf: context.dependentsOf,
    };
    const isQueued = new Set(state.ready);
    for (const [id, needs] of dependencies) {
      if (done.has(id) || running.has(id) || isQueued.has(id)) continue;
      state.waitingOn.set(id, [...needs].filter((need) => !done.has(need)).length);
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
    if (candidates.length < 2) return best;
    let chosen = best;
    let shortest = Number.POSITIVE_INFINITY;
    for (const candidate of candidates) {
      const makespan = estimateMakespan(state, candidate.id);
      if (makespan < shortest) {
        shortest = makespan;
        chosen = candidate;
      }
    }
    return chosen;
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
