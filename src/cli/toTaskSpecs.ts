import { dirname, resolve } from 'node:path';
import { parseSpawnFile } from '../config/parseSpawnFile.js';
import type { Workload, WorkloadTask, WorkloadTaskCache } from '../config/workloadTypes.js';
import { remoteTask } from '../distributed/remoteTask.js';
import { toTaskRun, type ToTaskRunOptions } from '../workers/runDescriptor.js';
import type { TaskSpec } from '../types.js';
import type { SpawnedWork } from './SpawnedWork.js';
import { spawnsWorkloadTasks } from './spawnsWorkloadTasks.js';
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
 * distributed worker runs), and `retries` becomes `retry.attempts` (runs, one more). A `race:`
 * becomes the spec's `race` (its alternatives' specs); a command run here gets `XENO_SPAWN_FILE`
 * (the tasks it writes there go to `options.spawned` too, for the store).
 *
 * @throws ConfigurationError naming every task that has nothing to run (a simulation-only task)
 * @example
 * scheduler.scheduleTasks(toTaskSpecs(loadWorkload('config/examples/proof-pipeline.yaml'), { pool }));
 */
export function toTaskSpecs(workload: Workload, options: ToTaskRunOptions & { remote?: boolean; spawned?: SpawnedWork } = {}): TaskSpec[] {
  const baseDir = dirname(resolve(workload.file));
  // A command run here may add children through XENO_SPAWN_FILE: its tasks are read as this
  // workload's are (its configuration, paths from its folder), and may add children in turn.
  // `spawned` keeps them for the store, so a resumed run can make them again the same way.
  const readSpawnFile = (text: string, source: string): TaskSpec[] => {
    const tasks = parseSpawnFile(text, source, workload.config, baseDir);
    const specs = toTaskSpecs({ file: workload.file, config: workload.config, tasks }, options);
    options.spawned?.read(tasks);
    return specs;
  };
  const commandOptions = options.remote ? options : { ...options, command: { ...options.command, readSpawnFile } };
  // A module's spawn takes children in the workload's task shape too: a worker thread can send no `run`.
  const runHere = (run: RunDescriptor) => (run.kind === 'module' ? spawnsWorkloadTasks(toTaskRun(run, options), readSpawnFile) : toTaskRun(run, commandOptions));
  const idle = workload.tasks.flatMap((task) => (task.race ?? [task]).filter((one) => one.run === undefined));
  if (idle.length > 0) {
    throw tasksError(workload, idle, {
      expected: 'a `command` or a `module` to run',
      found: 'neither',
      hint: 'a task without one can only be simulated: xeno-scheduler simulate',
    });
  }
  const toSpec = (task: WorkloadTask): TaskSpec => ({
    id: task.name,
    name: task.name,
    priority: task.priority,
    dependencies: task.dependencies,
    ...(task.race === undefined
      ? {
          type: task.type,
          resources: task.resources,
          config: task.config,
          timeoutMs: task.timeoutMs,
          retry: { attempts: task.retries + 1 },
          maxInterruptions: task.maxInterruptions,
          ...(task.idempotent === undefined ? {} : { idempotent: task.idempotent }),
        }
      : { race: task.race.map(toSpec) }),
    ...(task.estimateMs === undefined ? {} : { estimateMs: task.estimateMs }),
    ...(task.memoryLimit === undefined ? {} : { memoryLimit: task.memoryLimit }),
    ...(task.run === undefined ? {} : { runs: runsOf(task.run) }),
    ...(task.group === undefined ? {} : { group: task.group }),
    ...(task.run === undefined ? {} : { run: options.remote ? remoteTask(task.run) : runHere(task.run) }),
    ...(task.cache === undefined ? {} : cacheFields(task.cache)),
  });
  return workload.tasks.map(toSpec);
}
