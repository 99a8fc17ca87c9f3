import { createUpwardRank } from '../policies/createUpwardRank.js';
import type { MakespanLowerBound } from './types.js';

/** One task as the lower bound sees it: how long it ran, what it held, what it waited for. */
export interface BoundTask {
  readonly id: string;
  readonly durationMs: number;
  readonly dependencies: readonly string[];
  readonly resources: Readonly<Record<string, number>>;
}

/**
 * The makespan lower bound on `maxWorkers` workers and resource pools of `capacity`: the largest
 * of the critical path (longest chain of durations), total work ÷ maxWorkers, and for each
 * resource Σ amount × duration ÷ capacity. No schedule, by any policy, can beat it.
 *
 * @example
 * computeLowerBound([{ id: 'a', durationMs: 5, dependencies: [], resources: {} }], 2, {}).valueMs; // 5
 */
export function computeLowerBound(
  tasks: readonly BoundTask[],
  maxWorkers: number,
  capacity: Readonly<Record<string, number>>,
): MakespanLowerBound {
  const dependents = new Map<string, string[]>();
  const duration = new Map<string, number>();
  for (const task of tasks) {
    duration.set(task.id, task.durationMs);
    for (const dependency of task.dependencies) {
      const list = dependents.get(dependency) ?? [];
      list.push(task.id);
      dependents.set(dependency, list);
    }
  }
  const rank = createUpwardRank({ dependentsOf: (id) => dependents.get(id) ?? [], estimateOf: (id) => duration.get(id) });
  let criticalPathMs = 0;
  let work = 0;
  const resourceWork = new Map<string, number>();
  for (const task of tasks) {
    criticalPathMs = Math.max(criticalPathMs, rank(task.id));
    work += task.durationMs;
    for (const [name, amount] of Object.entries(task.resources)) {
      resourceWork.set(name, (resourceWork.get(name) ?? 0) + amount * task.durationMs);
    }
  }
  const resourceMs = Object.fromEntries(
    [...resourceWork.keys()].sort().map((name) => [name, (resourceWork.get(name) ?? 0) / (capacity[name] ?? Number.NaN)]),
  );
  const workPerWorkerMs = work / maxWorkers;
  return {
    criticalPathMs,
    workPerWorkerMs,
    resourceMs,
    valueMs: Math.max(criticalPathMs, workPerWorkerMs, ...Object.values(resourceMs).filter(Number.isFinite)),
  };
}
