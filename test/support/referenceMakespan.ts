// The critical-path rollout as it was before it was made fast (git show aa3dc30:src/policies/estimateMakespan.ts):
// a straightforward reference that the property tests compare the fast one with. Do not optimise.
import type { PlanState } from '../../src/policies/estimateMakespan.js';

interface Run {
  readonly id: string;
  readonly end: number;
  readonly resources: Readonly<Record<string, number>>;
}

/**
 * The makespan a plain list scheduler (ready tasks by rank, then more dependents first, a blocked task reserving its request
 * against those ranked after it, as the pump does) would reach from `state` if `first` started
 * now, with estimates as durations: the rollout that the critical-path lookahead compares
 * candidates by. With `first` undefined nothing starts now: the free workers stay idle until the
 * next running task ends, and list scheduling goes on from there. Infinity if the tasks left can
 * never all run (a request above capacity, or holding with nothing running).
 *
 * @example
 * estimateMakespan(state, 'b'); // 42000
 * estimateMakespan(state, undefined); // 41000: idling until the next end is shorter
 */
export function referenceMakespan(state: PlanState, first: string | undefined): number {
  let time = state.now;
  const used = new Map<string, number>();
  const running: Run[] = [];
  const start = (id: string, resources: Readonly<Record<string, number>>, end: number): void => {
    running.push({ id, end, resources });
    for (const name in resources) used.set(name, (used.get(name) ?? 0) + (resources[name] as number));
  };
  for (const run of state.running) start(run.id, run.resources, Math.max(time, run.end));
  if (first !== undefined) start(first, state.resourcesOf(first), time + state.estimateOf(first));
  let isHolding = first === undefined;
  const order = (a: string, b: string): number =>
    state.rankOf(b) - state.rankOf(a) || state.dependentsOf(b).length - state.dependentsOf(a).length;
  const ready = state.ready.filter((id) => id !== first);
  const waitingOn = new Map(state.waitingOn);
  const fits = (request: Readonly<Record<string, number>>, reserved: ReadonlyMap<string, number>): boolean =>
    state.capacity === undefined ||
    Object.entries(request).every(([name, amount]) => amount + (used.get(name) ?? 0) + (reserved.get(name) ?? 0) <= (state.capacity?.[name] ?? 0));
  let makespan = time;
  for (;;) {
    const reserved = new Map<string, number>();
    for (let at = 0; at < ready.length && running.length < state.maxWorkers && !isHolding; ) {
      const id = ready[at] as string;
      const request = state.resourcesOf(id);
      if (fits(request, reserved)) {
        ready.splice(at, 1);
        start(id, request, time + state.estimateOf(id));
        continue;
      }
      for (const name in request) reserved.set(name, (reserved.get(name) ?? 0) + (request[name] as number));
      at += 1;
    }
    isHolding = false;
    if (running.length === 0) return ready.length === 0 && waitingOn.size === 0 ? makespan : Number.POSITIVE_INFINITY;
    time = Math.min(...running.map((run) => run.end));
    makespan = Math.max(makespan, time);
    for (let at = running.length - 1; at >= 0; at--) {
      const run = running[at] as Run;
      if (run.end !== time) continue;
      running.splice(at, 1);
      for (const name in run.resources) used.set(name, (used.get(name) ?? 0) - (run.resources[name] as number));
      for (const dependent of state.dependentsOf(run.id)) {
        const left = waitingOn.get(dependent);
        if (left === undefined) continue;
        if (left > 1) {
          waitingOn.set(dependent, left - 1);
          continue;
        }
        waitingOn.delete(dependent);
        const place = ready.findIndex((id) => order(dependent, id) < 0);
        ready.splice(place === -1 ? ready.length : place, 0, dependent);
      }
    }
  }
}
