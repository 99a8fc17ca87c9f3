import type { TaskRunState } from './trackTaskRuns.js';

/**
 * Whether a run succeeded: every task completed, but for a race's losers, cancelled by its win
 * (cancelled tasks whose parent completed), and what such a loser took along when it was
 * cancelled (the children it had spawned, and theirs). What the exit code of `run` says.
 *
 * @example
 * isRunComplete([{ name: 'goal', status: 'completed' }, { name: 'goal/0', status: 'cancelled', parent: 'goal' }]); // true
 */
export function isRunComplete(tasks: readonly Pick<TaskRunState, 'name' | 'status' | 'parent'>[]): boolean {
  const byName = new Map(tasks.map((task) => [task.name, task]));
  // Completed, or cancelled under a parent that is (a cancelled parent cancels its children).
  const isSpared = (task: Pick<TaskRunState, 'status' | 'parent'> | undefined): boolean =>
    task?.status === 'completed' || (task?.status === 'cancelled' && task.parent !== undefined && isSpared(byName.get(task.parent)));
  return tasks.every(isSpared);
}
