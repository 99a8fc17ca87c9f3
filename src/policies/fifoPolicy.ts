import type { SchedulingPolicy } from '../types.js';
import { heapQueue } from './heapQueue.js';

/**
 * First come, first served: ready tasks run in submission order (`seq`), ignoring priority.
 *
 * @example
 * createScheduler({ policy: fifoPolicy() });
 * // or by name
 * createScheduler({ policy: 'fifo' });
 */
export function fifoPolicy(options: { backfill?: boolean } = {}): SchedulingPolicy {
  return {
    name: 'fifo',
    backfill: options.backfill ?? false,
    createQueue: () => heapQueue((a, b) => a.seq - b.seq),
  };
}
