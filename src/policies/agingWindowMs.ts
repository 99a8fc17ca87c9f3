import { TaskPriority, type TaskPriority as Priority } from '../types.js';

/**
 * How long after a task of `priority` became ready another task can still become ready and be
 * dispatched before it, under linear aging at `ratePerMs`: `(HIGHEST − priority) / ratePerMs`.
 * After this window no newly ready task outranks it, which is the first term of the wait bound
 * checked by `checkStarvation`. `Infinity` when aging is off.
 *
 * @example
 * agingWindowMs(1, 1.2 / 60_000); // 200000 (200 s)
 */
export function agingWindowMs(priority: Priority, ratePerMs: number): number {
  if (ratePerMs <= 0) return Number.POSITIVE_INFINITY;
  return (TaskPriority.HIGHEST - priority) / ratePerMs;
}
