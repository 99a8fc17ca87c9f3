import type { SchedulingPolicy } from '../types.js';
import { heapQueue } from './heapQueue.js';

/** Options of {@link priorityPolicy}. */
export interface PriorityPolicyOptions {
  /**
   * Aging: priority levels a ready task gains per millisecond of waiting. `0` turns aging off.
   * Effective priority = priority + agingRatePerMs × (now − readyAt). Because every waiting task
   * ages at the same rate, the order between two waiting tasks never changes while they wait, so
   * the heap key `priority − agingRatePerMs × readyAt` is fixed and the queue stays O(log n).
   * @default 0
   */
  agingRatePerMs?: number;
}

/**
 * Highest priority first, first-come first-served within a level, with optional linear aging.
 *
 * @example
 * createScheduler({ policy: priorityPolicy({ agingRatePerMs: 1 / 60_000 }) });
 */
export function priorityPolicy(options: PriorityPolicyOptions = {}): SchedulingPolicy {
  const rate = options.agingRatePerMs ?? 0;
  return {
    name: 'priority',
    createQueue: () =>
      heapQueue((a, b) => {
        const byRank = b.priority - rate * b.readyAt - (a.priority - rate * a.readyAt);
        return byRank !== 0 ? byRank : a.seq - b.seq;
      }),
  };
}
