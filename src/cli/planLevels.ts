import type { WorkloadTask } from '../config/workloadTypes.js';
import { Dag } from '../internal/Dag.js';

/** A task with its level in the dependency graph. */
export interface LeveledTask {
  /** Edges on the longest chain from the task up to a task with no dependencies (0 for those). */
  readonly level: number;
  readonly task: WorkloadTask;
}

/**
 * Orders a checked workload's tasks by dependency level (a topological order): every task comes
 * after all of its dependencies, and tasks of one level keep the file's order.
 *
 * @example
 * planLevels(workload.tasks).map(({ level, task }) => `${level} ${task.name}`);
 * // ['0 check_prover', '0 parse_axioms', '1 lemma_add_comm', …]
 */
export function planLevels(tasks: readonly WorkloadTask[]): LeveledTask[] {
  const dag = new Dag();
  dag.add(tasks.map((task) => ({ id: task.name, dependencies: task.dependencies })));
  return tasks.map((task) => ({ level: dag.depthOf(task.name), task })).sort((a, b) => a.level - b.level);
}
