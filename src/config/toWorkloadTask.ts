import { resolve } from 'node:path';
import type { XenoConfig } from './configSchema.js';
import { resolvePriority } from './prioritySchema.js';
import type { WorkloadTaskFile } from './workloadSchema.js';
import type { TaskDuration, TaskRunDescriptor, WorkloadTask, WorkloadTaskCache } from './workloadTypes.js';

/**
 * Seconds as whole milliseconds, rounded, but a positive duration never becomes 0 (for a
 * timeout, 0 means none): 0.0004 s is 1 ms.
 */
const toMs = (seconds: number): number => (seconds > 0 ? Math.max(1, Math.round(seconds * 1000)) : 0);

function toDuration(duration: WorkloadTaskFile['duration']): TaskDuration | undefined {
  if (duration === undefined) return undefined;
  if (typeof duration === 'number') return { distribution: 'fixed', valueMs: toMs(duration) };
  switch (duration.distribution) {
    case 'uniform':
      return { distribution: 'uniform', minMs: toMs(duration.min), maxMs: toMs(duration.max) };
    case 'normal':
      return { distribution: 'normal', meanMs: toMs(duration.mean), stddevMs: toMs(duration.stddev) };
    case 'exponential':
      return { distribution: 'exponential', meanMs: toMs(duration.mean) };
  }
}

function toRun(task: WorkloadTaskFile, baseDir: string): TaskRunDescriptor | undefined {
  if (task.command !== undefined) return { kind: 'command', command: task.command };
  if (task.module !== undefined && task.export !== undefined) {
    return { kind: 'module', module: resolve(baseDir, task.module), export: task.export, worker: task.worker ?? false };
  }
  return undefined;
}

/**
 * Turns a validated task of a workload file into a {@link WorkloadTask}: seconds become
 * milliseconds, missing priority, timeout, retries and max_interruptions come from the configuration, and a module
 * path is resolved against the workload file's folder.
 *
 * @example
 * ```ts
 * toWorkloadTask('lemma_a', workloadTaskSchema.parse({ command: 'true' }), config, '/work/flows');
 * ```
 */
export function toWorkloadTask(name: string, task: WorkloadTaskFile, config: XenoConfig, baseDir: string): WorkloadTask {
  const { task_scheduler, priority_scheduler } = config.scheduler;
  const race = task.race?.map((alternative, i) => toWorkloadTask(`${name}/${i}`, alternative, config, baseDir));
  return {
    ...(race === undefined ? {} : { race }),
    ...(task.idempotent === undefined ? {} : { idempotent: task.idempotent }),
    name,
    type: task.type,
    priority: resolvePriority(task.priority ?? priority_scheduler.default_priority),
    dependencies: task.dependencies,
    resources: task.resources,
    timeoutMs: toMs(task.timeout ?? task_scheduler.timeout),
    retries: task.retries ?? task_scheduler.retry_attempts,
    maxInterruptions: task.max_interruptions ?? task_scheduler.max_interruptions,
    estimateMs: task.estimate === undefined || task.estimate === 'auto' ? task.estimate : toMs(task.estimate),
    memoryLimit: task.memory_limit,
    duration: toDuration(task.duration),
    group: task.group,
    config: task.config,
    run: toRun(task, baseDir),
    cache: toCache(task, baseDir),
  };
}

function toCache(task: WorkloadTaskFile, baseDir: string): WorkloadTaskCache | undefined {
  if (task.inputs === undefined && task.outputs === undefined && task.env_inputs === undefined && task.cache === undefined) return undefined;
  return { baseDir, inputs: task.inputs, outputs: task.outputs ?? [], envInputs: task.env_inputs ?? [], enabled: task.cache !== false };
}
