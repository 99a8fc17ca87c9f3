import { agingWindowMs } from '../policies/agingWindowMs.js';
import { compareAgedPriority } from '../policies/compareAgedPriority.js';
import { taskHistories } from './taskHistories.js';
import type { Trace, TraceTask } from './types.js';

/** A task's wait and the bound aging promises for it, in ms. */
export interface WaitBound {
  readonly task: string;
  readonly waitMs: number;
  readonly boundMs: number;
}

/**
 * The documented wait bound of the `priority` policy with linear aging at `agingRatePerMs`, for
 * every task that started. With W = (5 − priority) / rate (`agingWindowMs`), a task ready at r is
 * never outranked by a task that becomes ready after s = r + W. Let A be the number of tasks ranked
 * before it that were still waiting at s and D the longest attempt in the trace. Then
 *
 *   wait ≤ W + ⌈(A + 1) / maxWorkers⌉ × D   when no task requests resources,
 *   wait ≤ W + (A + 1) × D                    otherwise (each task at the head of the queue starts
 *                                             within D, since reservations hold its resources).
 *
 * It assumes no retries, no pause, and (with backfill) attempts that end within their estimate.
 *
 * @example
 * const worst = Math.max(...waitBounds(trace, { agingRatePerMs: agingRatePerMs(1.2) }).map((b) => b.waitMs / b.boundMs));
 */
export function waitBounds(trace: Trace, options: { agingRatePerMs: number }): WaitBound[] {
  const rate = options.agingRatePerMs;
  const compare = compareAgedPriority(rate);
  const longest = longestAttemptMs(trace);
  const usesResources = trace.tasks.some((task) => Object.keys(task.resources).length > 0);
  const started = [...taskHistories(trace).values()].flatMap((h) =>
    h.firstStart && h.readyAt !== undefined ? [{ task: h.task, readyAt: h.readyAt, start: h.firstStart.time }] : [],
  );
  const asQueued = (task: TraceTask, readyAt: number) => ({ ...task, readyAt, estimateMs: undefined });
  return started.map((u) => {
    const windowMs = agingWindowMs(u.task.priority, rate);
    const horizon = u.readyAt + windowMs;
    const ahead = started.filter(
      (t) => t.start >= horizon && t.start <= u.start && compare(asQueued(t.task, t.readyAt), asQueued(u.task, u.readyAt)) < 0,
    ).length;
    const rounds = usesResources ? ahead + 1 : Math.ceil((ahead + 1) / trace.maxWorkers);
    return { task: u.task.id, waitMs: u.start - u.readyAt, boundMs: windowMs + rounds * longest };
  });
}

function longestAttemptMs(trace: Trace): number {
  const startedAt = new Map<string, number>();
  let longest = 0;
  for (const event of trace.events) {
    if (event.to === 'running') startedAt.set(event.task, event.time);
    else if (event.from === 'running') longest = Math.max(longest, event.time - (startedAt.get(event.task) ?? event.time));
  }
  return longest;
}
