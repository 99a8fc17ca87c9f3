import type { Workload, WorkloadTaskCache } from '../config/workloadTypes.js';
import { remoteTask } from '../distributed/remoteTask.js';
import { toTaskRun, type ToTaskRunOptions } from '../workers/runDescriptor.js';
import type { TaskSpec } from '../types.js';
import { tasksError } from './tasksError.js';
import type { RunDescriptor } from '../workers/runDescriptor.js';

/** What a task runs, as the history's identity of it: the command line, or `module#export`. */
function runsOf(run: RunDescriptor): string {
  return run.kind === 'command' ? run.command : `${run.module}#${run.export ?? 'default'}`;
}

/** A workload task's cache settings as a spec's fields: paths stay relative to the workload file's folder. */
function cacheFields(cache: WorkloadTaskCache): Pick<TaskSpec, 'inputs' | 'outputs' | 'envInputs' | 'cache' | 'baseDir'> {
  return {
    ...(cache.inputs === undefined ? {} : { inputs: cache.inputs }),
    outputs: cache.outputs,
    envInputs: cache.envInputs,
    cache: cache.enabled,
    baseDir: cache.baseDir,
  };
}

/**
 * Turns a workload's tasks into scheduler task specs: the task's name is its id (so dependencies
 * by name work), its run descriptor becomes a work function (see {@link toTaskRun} for `options`:
 * `worker: true` modules run on `options.pool`; with `remote`, a {@link remoteTask} that a
 * distributed worker runs), and `retries` becomes `retry.attempts` (runs, one more).
 *
 * @throws ConfigurationError naming every task that has nothing to run (a simulation-only task)
 * @example
 * scheduler.scheduleTasks(toTaskSpecs(loadWorkload('config/examples/proof-pipeline.yaml'), { pool }));
 */
export function toTaskSpecs(workload: Workload, options: ToTaskRunOptions & { remote?: boolean } = {}): TaskSpec[] {
  const idle = workload.tasks.filter((task) => task.run === undefined);
  if (idle.length > 0) {
    throw tasksError(workload, idle, {
      expected: 'a `command` or a `module` to run',
      found: 'neither',
      hint: 'a task without one can only be simulated: xeno-scheduler simulate',
    });
  }
  return workload.tasks.map((task) => ({
    id: task.name,
    name: task.name,
    type: task.type,
    priority: task.priority,
    dependencies: task.dependencies,
    resources: task.resources,
    config: task.config,
    timeoutMs: task.timeoutMs,
    retry: { attempts: task.retries + 1 },
    maxInterruptions: task.maxInterruptions,
    ...(task.estimateMs === undefined ? {} : { estimateMs: task.estimateMs }),
    ...(task.memoryLimit === undefined ? {} : { memoryLimit: task.memoryLimit }),
    ...(task.run === undefined ? {} : { runs: runsOf(task.run) }),
    ...(task.group === undefined ? {} : { group: task.group }),
    ...(task.run === undefined ? {} : { run: options.remote ? remoteTask(task.run) : toTaskRun(task.run, options) }),
    ...(task.cache === undefined ? {} : cacheFields(task.cache)),
  }));
}
