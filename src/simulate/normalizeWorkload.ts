import { resolveAutoRequests } from '../estimates/resolveAutoRequests.js';
import { TaskPriority, type TaskPriorityInput } from '../types.js';
import type { UsageLearner } from '../usageTypes.js';
import type {
  DurationDistribution,
  DurationInSeconds,
  LoadedWorkloadTask,
  ReplayTask,
  SimulationTask,
  SimulationWorkload,
  WorkloadFileTask,
} from './types.js';

const SECOND = 1000;

/**
 * Turns either workload shape into tasks in milliseconds with defaults applied, in the workload's
 * order. A task needs an estimate or a duration; without `duration`, it runs for its estimate.
 * Throws a TypeError naming the task and field otherwise.
 *
 * @example
 * normalizeWorkload({ tasks: { a: { estimate: 2 }, b: { estimate: 1, dependencies: ['a'] } } });
 * // [{ id: 'a', estimateMs: 2000, duration: { distribution: 'fixed', valueMs: 2000 }, ... }, ...]
 */
export function normalizeWorkload(workload: SimulationWorkload, learned?: UsageLearner): SimulationTask[] {
  const tasks = workload.tasks;
  if (isLoaded(tasks)) return tasks.map((task) => fromLoaded(task, learned, workload.resources ?? {}));
  return Object.entries(tasks).map(([name, task]) => fromFile(name, task));
}

function isLoaded(tasks: SimulationWorkload['tasks']): tasks is readonly (LoadedWorkloadTask | ReplayTask)[] {
  return Array.isArray(tasks);
}

/**
 * A loaded task: `auto` requests become what `learned` recommends (else the documented defaults),
 * and an `auto` estimate the learned one (a task that then has neither estimate nor duration
 * cannot be simulated).
 */
function fromLoaded(task: LoadedWorkloadTask | ReplayTask, learned: UsageLearner | undefined, capacity: Readonly<Record<string, number>>): SimulationTask {
  const identity = { name: task.name, runs: '', type: 'generic' };
  const estimateMs = task.estimateMs === 'auto' ? learned?.estimate(identity).ms : task.estimateMs;
  // A race runs nothing of its own: its time is its alternatives'.
  const race = task.race?.map((alternative) => fromLoaded(alternative, learned, capacity));
  return {
    ...('attempts' in task ? { replay: { attempts: task.attempts, retry: task.retry } } : {}),
    id: task.name,
    priority: task.priority,
    dependencies: task.dependencies,
    resources: resolveAutoRequests(task.resources, identity, learned, capacity),
    estimateMs,
    duration: race === undefined ? (task.duration ?? fixed(task.name, estimateMs)) : { distribution: 'fixed', valueMs: 0 },
    group: task.group ?? 'default',
    ...(task.idempotent === true ? { idempotent: true } : {}),
    ...(race === undefined ? {} : { race }),
  };
}

function fromFile(name: string, task: WorkloadFileTask): SimulationTask {
  const estimateMs = task.estimate === undefined ? undefined : task.estimate * SECOND;
  return {
    id: name,
    priority: priorityLevel(name, task.priority),
    dependencies: task.dependencies ?? [],
    resources: task.resources ?? {},
    estimateMs,
    duration: task.duration === undefined ? fixed(name, estimateMs) : durationInMs(task.duration),
    group: task.group ?? 'default',
    ...(task.idempotent === true ? { idempotent: true } : {}),
  };
}

function fixed(name: string, estimateMs: number | undefined): DurationDistribution {
  if (estimateMs === undefined) {
    throw new TypeError(`simulate: expected task "${name}" to have an estimate or a duration, received neither`);
  }
  return { distribution: 'fixed', valueMs: estimateMs };
}

function durationInMs(duration: DurationInSeconds): DurationDistribution {
  if (typeof duration === 'number') return { distribution: 'fixed', valueMs: duration * SECOND };
  switch (duration.distribution) {
    case 'uniform':
      return { distribution: 'uniform', minMs: duration.min * SECOND, maxMs: duration.max * SECOND };
    case 'normal':
      return { distribution: 'normal', meanMs: duration.mean * SECOND, stddevMs: duration.stddev * SECOND };
    case 'exponential':
      return { distribution: 'exponential', meanMs: duration.mean * SECOND };
  }
}

function priorityLevel(name: string, priority: TaskPriorityInput | undefined): TaskPriority {
  if (priority === undefined) return TaskPriority.NORMAL;
  if (typeof priority === 'number') return priority;
  const level = TaskPriority[priority.toUpperCase() as keyof typeof TaskPriority];
  if (level === undefined) {
    throw new TypeError(`simulate: expected task "${name}" priority to be a level 1-5 or a name, received ${JSON.stringify(priority)}`);
  }
  return level;
}
