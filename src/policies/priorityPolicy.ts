import type { SchedulingPolicy } from '../types.js';
import { compareAgedPriority } from './compareAgedPriority.js';
import { heapQueue } from './heapQueue.js';
import { InvalidOptionsError } from '../errors.js';

/** Options of {@link priorityPolicy}. */
export interface PriorityPolicyOptions {
  /**
   * Aging: priority levels a ready task gains per millisecond of waiting. `0` turns aging off.
   * Effective priority = priority + agingRatePerMs × (now − readyAt). Because every waiting task
   * ages at the same rate, the order between two waiting tasks never changes while they wait, so
   * the heap key `priority − agingRatePerMs × readyAt` is fixed and the queue stays O(log n).
   * From the configuration's `priority_boost`, use {@link agingRatePerMs}.
   * @default 0
   */
  agingRatePerMs?: number;
  /** See {@link SchedulingPolicy.backfill}. @default false */
  backfill?: boolean;
}

/**
 * Highest priority first, first-come first-served within a level, with optional linear aging
 * (see {@link compareAgedPriority}).
 *
 * @example
 * createScheduler({ policy: priorityPolicy({ agingRatePerMs: agingRatePerMs(1.2, 60_000) }) });
 */
export function priorityPolicy(options: PriorityPolicyOptions = {}): SchedulingPolicy {
  const rate = options.agingRatePerMs ?? 0;
  if (!Number.isFinite(rate) || rate < 0) {
    throw new InvalidOptionsError(`priorityPolicy: expected agingRatePerMs to be a finite number >= 0, received ${String(rate)}`, 'agingRatePerMs');
  }
  return {
    name: 'priority',
    backfill: options.backfill ?? false,
    createQueue: () => heapQueue(compareAgedPriority(rate)),
  };
}
