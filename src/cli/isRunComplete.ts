import type { TaskRunState } from './trackTaskRuns.js';

/**
 * Whether a run succeeded: every task completed, but for a race's losers, cancelled by its win
 * (cancelled tasks whose parent completed). What the exit code of `run` says.
 *
 * @example
 * isRunComplete([{ name: 'goal', status: 'completed' }, { name: 'goal/0', status: 'cancelled', parent: 'goal' }]); // true
 */
export function isRunComplete(tasks: readonly Pick<TaskRunState, 'name' | 'status' | 'parent'>[]): boolean {
  const statusByName = new Map(tasks.map((task) => [task.name, task.status]));
  return tasks.every((task) => task.status === 'completed' || (task.status === 'cancelled' && task.parent !== undefined && statusByName.get(task.parent) === 'completed'));
}
