import type { Workload, WorkloadTask } from '../config/workloadTypes.js';
import { ConfigurationError } from '../errors.js';

/** What is wrong with each of the tasks {@link tasksError} names. */
export interface TaskProblem {
  readonly expected: string;
  readonly found: string;
  readonly hint?: string;
}

/**
 * A ConfigurationError with one issue per task, at `tasks.<name>` of the workload file: for
 * workloads the file format accepts but a command cannot use as they are.
 *
 * @example
 * throw tasksError(workload, idleTasks, { expected: 'a `command` or a `module` to run', found: 'neither' });
 */
export function tasksError(workload: Workload, tasks: readonly WorkloadTask[], problem: TaskProblem): ConfigurationError {
  return new ConfigurationError(tasks.map((task) => ({ file: workload.file, path: `tasks.${task.name}`, line: undefined, ...problem })));
}
