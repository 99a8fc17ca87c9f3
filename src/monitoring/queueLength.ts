import type { Scheduler } from '../scheduler.js';

/**
 * How many ready tasks wait in the scheduler's queue. Reads `getStats().queued` when the core
 * offers it (O(1)); until then walks the queue through `getQueue`, which is O(n) but runs only
 * when a metric reader collects.
 *
 * @example
 * queueLength(scheduler); // 12
 */
export function queueLength(scheduler: Scheduler): number {
  const { queued } = scheduler.getStats() as { queued?: unknown };
  return typeof queued === 'number' ? queued : scheduler.getQueue(Number.MAX_SAFE_INTEGER).length;
}
