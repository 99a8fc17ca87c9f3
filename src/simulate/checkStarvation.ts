import type { InvariantViolation } from './InvariantViolationError.js';
import type { Trace } from './types.js';
import { waitBounds } from './waitBounds.js';

/**
 * No starvation under aging: every task's wait stays within the bound of {@link waitBounds}.
 *
 * @example
 * expect(checkStarvation(trace, { agingRatePerMs: agingRatePerMs(1.2, 60_000) })).toEqual([]);
 */
export function checkStarvation(trace: Trace, options: { agingRatePerMs: number }): InvariantViolation[] {
  const readyAt = new Map<string, number>();
  for (const event of trace.events) if (event.readyAt !== undefined && !readyAt.has(event.task)) readyAt.set(event.task, event.readyAt);
  return waitBounds(trace, options)
    .filter((b) => b.waitMs > b.boundMs)
    .map((b) => ({
      invariant: 'starvation',
      time: (readyAt.get(b.task) ?? 0) + b.waitMs,
      tasks: [b.task],
      message: `task "${b.task}" waited ${b.waitMs} ms, more than its aging bound of ${Math.round(b.boundMs)} ms`,
    }));
}
