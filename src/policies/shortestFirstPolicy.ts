import type { QueuedTask, SchedulingPolicy } from '../types.js';
import { heapQueue } from './heapQueue.js';

/**
 * Orders tasks by `estimateMs`, shortest first; tasks without an estimate come after every
 * estimated task; ties (and unknowns among themselves) go by submission order.
 *
 * @example
 * compareShortestFirst({ estimateMs: 5, seq: 2 } as QueuedTask, { estimateMs: undefined, seq: 1 } as QueuedTask); // < 0
 */
export function compareShortestFirst(a: QueuedTask, b: QueuedTask): number {
  const ea = a.estimateMs ?? Number.POSITIVE_INFINITY;
  const eb = b.estimateMs ?? Number.POSITIVE_INFINITY;
  if (ea !== eb) return ea < eb ? -1 : 1;
  return a.seq - b.seq;
}

/**
 * Shortest job first by the task's `estimateMs` (see {@link compareShortestFirst}). Minimises mean
 * waiting time when estimates are right; long tasks can wait while short ones keep arriving.
 *
 * @example
 * createScheduler({ policy: shortestFirstPolicy() });
 */
export function shortestFirstPolicy(options: { backfill?: boolean } = {}): SchedulingPolicy {
  return {
    name: 'shortest-first',
    backfill: options.backfill ?? false,
    createQueue: () => heapQueue(compareShortestFirst),
  };
}
