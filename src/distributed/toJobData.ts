import type { TaskRecord } from '../types.js';
import type { Attempt } from '../core/Executor.js';
import { remoteDescriptorOf } from './remoteTask.js';
import type { AttemptJobData } from './AttemptJob.js';

/**
 * What an attempt's job carries: the task's id, attempt, type and config, its command or module
 * if it has one, and its record without result or error (`record`, when the caller has already
 * built it; else it is built here).
 *
 * @example
 * queue.add(attempt.type, toJobData(attempt), { jobId, priority });
 */
export function toJobData(attempt: Attempt, record: TaskRecord = attempt.record()): AttemptJobData {
  const { id, name, type, priority, attempts, maxAttempts, dependencies, resources, group, estimateMs, createdAt, readyAt, startedAt } = record;
  const task = { id, name, type, priority, status: 'running', attempts, maxAttempts, dependencies, resources, group, estimateMs, createdAt, readyAt, startedAt };
  return { taskId: attempt.taskId, attempt: attempt.attempt, type: attempt.type, config: attempt.config, run: remoteDescriptorOf(attempt.run) ?? undefined, task };
}
