import type { TaskRecord } from '../types.js';
import type { TransitionView } from './protocol.js';

/** The event name of a step known from a record alone (a task recovered from a store). */
export const RECORDED = 'recorded';

/**
 * A task's history as its record tells it, for a task whose transitions inspection never saw
 * (one that finished before this scheduler recovered the run from its store): created, ready,
 * last started, and where it ended, each at its recorded time, with the event `recorded`.
 *
 * @example
 * recordHistory(scheduler.getTask('prove')); // [{ at, from: null, to: 'pending', event: 'recorded' }, ...]
 */
export function recordHistory(record: TaskRecord): TransitionView[] {
  const steps: [number | undefined, string][] = [
    [record.createdAt, 'pending'],
    [record.readyAt, 'pending.queued'],
    [record.startedAt, 'running'],
    [record.completedAt, record.status === 'pending' ? (record.pendingReason === undefined ? 'pending' : `pending.${record.pendingReason}`) : record.status],
  ];
  const history: TransitionView[] = [];
  for (const [at, to] of steps) {
    if (at === undefined) continue;
    history.push({ at, from: history.at(-1)?.to ?? null, to, event: RECORDED });
  }
  return history;
}
