import type { QueuedTask } from '../types.js';
import type { DispatchView, RunningEstimate } from './nextDispatch.js';
import type { Supervisor } from './Supervisor.js';
import type { TaskEntry } from './TaskEntry.js';

function entryOf(s: Supervisor, task: QueuedTask | undefined): TaskEntry | undefined {
  const entry = task === undefined ? undefined : s.registry.entries.get(task.id);
  return entry?.queued ? entry : undefined;
}

function* runningWithResources(s: Supervisor): Iterable<RunningEstimate> {
  for (const entry of s.runningEntries) if (entry.hasResources) yield entry;
}

/**
 * The supervisor as {@link nextDispatch} reads it: live getters, so one view serves a whole pump
 * while tasks start.
 *
 * @example
 * nextDispatch(createDispatchView(supervisor));
 */
export function createDispatchView(s: Supervisor): DispatchView<TaskEntry> {
  const queue = s.readyQueue;
  const ledger = s.ledger;
  return {
    get freeWorkers() {
      return s.slots.free;
    },
    // By id: a custom queue hands back what it holds, and only the registry's entry is ours.
    head: () => {
      // A policy may hold the free workers while something runs: its end pumps again.
      if (s.runningEntries.size > 0 && queue.isHolding) return undefined;
      const task = queue.peek();
      const entry = entryOf(s, task);
      if (entry === undefined && !s.guardedQueue.hasFailures && (task !== undefined || s.queuedCount > 0)) {
        // A queue that answers wrongly without throwing would stall dispatch for good.
        const wrong = task === undefined ? `nothing while ${s.queuedCount} task(s) are queued` : `task "${task.id}", which is not queued`;
        s.guardedQueue.fault('peek', undefined, new Error(`peek() returned ${wrong}`));
      }
      return entry;
    },
    ordered: (limit) => queue.ordered(limit).flatMap((task) => entryOf(s, task) ?? []),
    free: (name) => ledger.free(name),
    backfill: s.settings.policy.backfill === true,
    get now() {
      return s.settings.clock.now();
    },
    running: () => runningWithResources(s),
  };
}
