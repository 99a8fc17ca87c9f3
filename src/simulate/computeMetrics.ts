import { computeLowerBound } from './computeLowerBound.js';
import { taskHistories } from './taskHistories.js';
import type { SimulationMetrics, Trace, WaitStats } from './types.js';

/**
 * Metrics of a run, from its trace alone: makespan, its lower bound and ratio, waits (first start
 * − readyAt) overall, by priority level and by group, the longest wait, worker and resource
 * utilization, and outcomes. The lower bound uses the time each task actually ran (all attempts).
 *
 * @example
 * const { makespanMs, ratio, wait } = computeMetrics(trace);
 */
export function computeMetrics(trace: Trace): SimulationMetrics {
  const ranMs = new Map<string, number>();
  const startedAt = new Map<string, number>();
  const outcomes = { completed: 0, failed: 0, cancelled: 0 };
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const event of trace.events) {
    first = Math.min(first, event.time);
    last = Math.max(last, event.time);
    if (event.to === 'running') startedAt.set(event.task, event.time);
    if (event.from === 'running') {
      ranMs.set(event.task, (ranMs.get(event.task) ?? 0) + event.time - (startedAt.get(event.task) ?? event.time));
    }
    if (event.to === 'completed' || event.to === 'failed' || event.to === 'cancelled') outcomes[event.to] += 1;
  }
  const makespanMs = trace.events.length === 0 ? 0 : last - first;
  const lowerBound = computeLowerBound(
    trace.tasks.map((task) => ({ ...task, durationMs: ranMs.get(task.id) ?? 0 })),
    trace.maxWorkers,
    trace.resources,
  );

  const waits = [...taskHistories(trace).values()].flatMap((h) =>
    h.firstStart && h.readyAt !== undefined ? [{ task: h.task, waitMs: h.firstStart.time - h.readyAt }] : [],
  );
  const groupBy = (key: (w: (typeof waits)[number]) => string): Record<string, WaitStats> => {
    const groups = new Map<string, number[]>();
    for (const w of waits) groups.set(key(w), [...(groups.get(key(w)) ?? []), w.waitMs]);
    return Object.fromEntries([...groups.keys()].sort().map((k) => [k, waitStats(groups.get(k) ?? [])]));
  };
  const longest = waits.reduce<(typeof waits)[number] | undefined>((best, w) => (!best || w.waitMs > best.waitMs ? w : best), undefined);

  const busy = [...ranMs.values()].reduce((sum, ms) => sum + ms, 0);
  const utilizationOf = (capacity: number, used: number): number => (makespanMs > 0 && capacity > 0 ? used / (capacity * makespanMs) : 0);
  const resourceUse = new Map<string, number>();
  for (const task of trace.tasks) {
    for (const [name, amount] of Object.entries(task.resources)) {
      resourceUse.set(name, (resourceUse.get(name) ?? 0) + amount * (ranMs.get(task.id) ?? 0));
    }
  }
  return {
    makespanMs,
    lowerBound,
    ratio: lowerBound.valueMs > 0 ? makespanMs / lowerBound.valueMs : 1,
    wait: { all: waitStats(waits.map((w) => w.waitMs)), byPriority: groupBy((w) => String(w.task.priority)), byGroup: groupBy((w) => w.task.group) },
    longestWait: longest ? { task: longest.task.id, waitMs: longest.waitMs } : null,
    utilization: {
      workers: utilizationOf(trace.maxWorkers, busy),
      resources: Object.fromEntries(
        Object.keys(trace.resources)
          .sort()
          .map((name) => [name, utilizationOf(trace.resources[name] ?? 0, resourceUse.get(name) ?? 0)]),
      ),
    },
    outcomes,
  };
}

/**
 * Count, mean, nearest-rank 95th percentile and maximum of waits in ms (all 0 when empty).
 *
 * @example
 * waitStats([1, 2, 3]); // { count: 3, meanMs: 2, p95Ms: 3, maxMs: 3 }
 */
export function waitStats(waits: readonly number[]): WaitStats {
  if (waits.length === 0) return { count: 0, meanMs: 0, p95Ms: 0, maxMs: 0 };
  const sorted = [...waits].sort((a, b) => a - b);
  return {
    count: sorted.length,
    meanMs: sorted.reduce((sum, w) => sum + w, 0) / sorted.length,
    p95Ms: sorted[Math.ceil(0.95 * sorted.length) - 1] ?? 0,
    maxMs: sorted[sorted.length - 1] ?? 0,
  };
}
