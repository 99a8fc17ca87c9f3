import type { QueuedTask } from '../types.js';

/**
 * Highest priority first, then submission order: the order of a plain priority queue.
 *
 * @example
 * [low, high].sort(comparePriority); // [high, low]
 */
export function comparePriority(a: QueuedTask, b: QueuedTask): number {
  return b.priority - a.priority || a.seq - b.seq;
}
