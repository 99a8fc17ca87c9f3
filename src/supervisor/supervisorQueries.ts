import type { ResourceUsage, SchedulerStats, TaskExplanation, TaskRecord } from '../types.js';
import { explainTask } from './explainTask.js';
import type { Supervisor } from './Supervisor.js';
import { pendingReasonOf, statusOf, toRecord, type TaskEntry } from './TaskEntry.js';

/**
 * A task's record; a TaskSchedulingError names an unknown id.
 *
 * @example
 * recordOf(supervisor, 'lemma').status; // 'pending'
 */
export function recordOf(s: Supervisor, id: string): TaskRecord {
  return toRecord(s.registry.require(id));
}

/**
 * Resolves with a task's final record, whatever the outcome.
 *
 * @example
 * await waitForEntry(supervisor, 'lemma');
 */
export function waitForEntry(s: Supervisor, id: string): Promise<TaskRecord> {
  const entry = s.registry.require(id);
  // Halted on a store failure: what the scheduler holds may not be what the store holds.
  if (s.failure !== undefined) return Promise.reject(s.failure);
  if (entry.outcome !== undefined) return Promise.resolve(toRecord(entry));
  return s.waiters.forTask(id);
}

/**
 * Why a task is not running: {@link explainTask} over the supervisor's queue, pools and workers.
 *
 * @example
 * explainEntry(supervisor, supervisor.registry.require('lemma')).summary;
 */
export function explainEntry(s: Supervisor, entry: TaskEntry): TaskExplanation {
  const status = statusOf(entry);
  const pendingReason = pendingReasonOf(entry);
  const queue = s.readyQueue;
  const ledger = s.ledger;
  return explainTask({
    id: entry.id,
    status,
    pendingReason,
    attempts: entry.attempts,
    resources: entry.resources,
    isQueued: entry.queued,
    waitingOn: status === 'pending' ? s.dag.waitingOn(entry.id) : [],
    ordered: () => queue.ordered(queue.size),
    free: (name) => ledger.free(name),
    workersBusy: s.slots.free <= 0,
    paused: s.isPaused,
    placement: pendingReason === 'dispatched' ? s.settings.executor.explain?.(entry.id, entry.attempts) : undefined,
    children: entry.family && { kind: entry.family.kind, total: entry.family.children.length, open: entry.family.open },
  });
}

/**
 * Counts by status, workers and per pool `{ capacity, used, reserved }`. O(pools): the dashboard
 * asks on every tick, and the scheduler may hold 300k tasks.
 *
 * @example
 * statsOf(supervisor).running; // 4
 */
export function statsOf(s: Supervisor): SchedulerStats {
  const ledger = s.ledger;
  const reserved = s.pool.getSnapshot().context.reserved;
  const resources: Record<string, ResourceUsage> = {};
  for (const name of ledger.names()) {
    // What the waiting tasks hold back is at most what is free: used + reserved <= capacity.
    const held = Math.min(ledger.free(name), reserved.get(name) ?? 0);
    resources[name] = { capacity: ledger.capacity(name), used: ledger.used(name), reserved: held };
  }
  // Every attempt holding a slot is running or dispatched (recovered ones included).
  const dispatched = s.runningEntries.size - s.registry.counts.running;
  return { ...s.registry.counts, dispatched, queued: s.queuedCount, maxWorkers: s.settings.maxWorkers, paused: s.isPaused, resources };
}
