import type { TaskRecord } from '../types.js';
import type { TransitionView } from './protocol.js';
import { taskPath } from './taskPath.js';

/** The event name of a step known from a record alone (a task recovered from a store). */
export const RECORDED = 'recorded';
/** The event name of the last step of a task still live: where it is at the time it was read. */
export const OBSERVED = 'observed';

/**
 * A task's history as its record tells it, for a task whose transitions inspection never saw
 * (one that finished before this scheduler recovered the run from its store, or one that has not
 * moved since the dashboard started): created, ready, last started, and where it ended, each at
 * its recorded time, with the event `recorded`; a task still live ends with where it is `now`
 * (paused, set aside for resources…), with the event `observed`.
 *
 * @example
 * recordHistory(scheduler.getTask('prove'), Date.now()); // [{ at, from: null, to: 'pending.dependencies', event: 'recorded' }, ...]
 */
export function recordHistory(record: TaskRecord, now: number): TransitionView[] {
  const isLive = record.status === 'pending' || record.status === 'running';
  const steps: [number | undefined, string, string][] = [
    [record.createdAt, record.dependencies.length > 0 ? 'pending.dependencies' : 'pending.queued', RECORDED],
    [record.readyAt, 'pending.queued', RECORDED],
    [record.startedAt, 'running', RECORDED],
    [isLive ? now : record.completedAt, taskPath(record), isLive ? OBSERVED : RECORDED],
  ];
  const history: TransitionView[] = [];
  for (const [at, to, event] of steps) {
    const from = history.at(-1)?.to ?? null;
    if (at === undefined || to === from) continue;
    history.push({ at, from, to, event });
  }
  return history;
}
