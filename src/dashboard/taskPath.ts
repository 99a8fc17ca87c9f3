import type { TaskRecord } from '../types.js';

/**
 * A task's state as the path of its machine's state, from its record: `pending.queued`,
 * `running`, `cancelled`.
 *
 * @example
 * taskPath(scheduler.getTask('a')); // 'pending.dependencies'
 */
export function taskPath(record: TaskRecord): string {
  return record.status === 'pending' && record.pendingReason !== undefined ? `pending.${record.pendingReason}` : record.status;
}
