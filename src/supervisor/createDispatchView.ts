import type { DispatchView, RunningEstimate } from './nextDispatch.js';
import type { Supervisor } from './Supervisor.js';

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
export function createDispatchView(s: Supervisor): DispatchView {
  const queue = s.readyQueue;
  const ledger = s.ledger;
  return {
    get freeWorkers() {
      return s.slots.free;
    },
    head: () => queue.peek(),
    ordered: (limit) => queue.ordered(limit),
    free: (name) => ledger.free(name),
    backfill: s.settings.policy.backfill === true,
    get now() {
      return s.settings.clock.now();
    },
    running: () => runningWithResources(s),
  };
}
