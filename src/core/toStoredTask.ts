import type { NormalizedTask } from './normalizeTaskSpec.js';
import type { StoredError, StoredTask } from './TaskStore.js';
import type { TaskEntry } from './TaskEntry.js';

/**
 * A task as a store keeps it: its spec without the work function (a closure cannot be kept).
 *
 * @example
 * store.addTasks(entries.map((entry, i) => toStoredTask(entry, batch[i])));
 */
export function toStoredTask(entry: TaskEntry, task: NormalizedTask): StoredTask {
  return {
    id: entry.id,
    name: entry.name,
    type: entry.type,
    priority: entry.priority,
    seq: entry.seq,
    dependencies: entry.dependencies,
    resources: entry.resources,
    config: entry.config,
    hasOwnRun: task.hasOwnRun,
    timeoutMs: entry.timeoutMs,
    retry: task.retry,
    maxInterruptions: task.maxInterruptions,
    // What it declared: a learned estimate is learned again when the run resumes.
    estimateMs: task.estimateMs,
    group: entry.group,
    createdAt: entry.createdAt,
    dependencyDeadline: entry.dependencyDeadline,
    ...(entry.cache === undefined ? {} : { cache: entry.cache }),
    ...(task.parent === undefined ? {} : { parent: task.parent }),
    ...(task.race === undefined ? {} : { race: task.race }),
  };
}

/**
 * An error as a store keeps it.
 *
 * @example
 * toStoredError(new Error('boom')); // { name: 'Error', message: 'boom', stack: '...', code: undefined }
 */
export function toStoredError(error: Error): StoredError {
  return { name: error.name, message: error.message, stack: error.stack, code: (error as { code?: string }).code };
}
