import type { QueuedTask } from '../types.js';

/**
 * The order of the `priority` policy with linear aging at `ratePerMs` priority levels per
 * millisecond of waiting: effective priority at time `now` is
 * `priority + ratePerMs × (now − readyAt)`. Every waiting task ages at the same rate, so comparing
 * effective priorities at any `now` equals comparing the fixed key `priority − ratePerMs × readyAt`;
 * ties go by submission order. With `ratePerMs = 0` this is {@link comparePriority}.
 *
 * @example
 * const compare = compareAgedPriority(1 / 60_000); // one level per minute of waiting
 * compare({ priority: 1, readyAt: 0, seq: 1 } as QueuedTask, { priority: 2, readyAt: 120_000, seq: 2 } as QueuedTask); // < 0
 */
export function compareAgedPriority(ratePerMs: number): (a: QueuedTask, b: QueuedTask) => number {
  return (a, b) => {
    const byKey = b.priority - ratePerMs * b.readyAt - (a.priority - ratePerMs * a.readyAt);
    return byKey !== 0 ? byKey : a.seq - b.seq;
  };
}
