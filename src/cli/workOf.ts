import type { Workload } from '../config/workloadTypes.js';
import type { RunWork } from './compareWithStoredRun.js';

/**
 * What each task of a workload runs (its command, or its module and export), by task id: what a
 * run's store keeps so that resuming it with changed commands is refused.
 *
 * @example
 * workOf(loadWorkload('pipeline.yaml')); // { prove: { kind: 'command', command: 'prove --all' } }
 */
export function workOf(workload: Workload): RunWork {
  const work: Record<string, NonNullable<Workload['tasks'][number]['run']>> = {};
  for (const task of workload.tasks) if (task.run !== undefined) work[task.name] = task.run;
  return work;
}
