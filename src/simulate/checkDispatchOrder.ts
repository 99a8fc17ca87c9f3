import { compareAgedPriority } from '../policies/compareAgedPriority.js';
import type { QueuedTask } from '../types.js';
import type { InvariantViolation } from './InvariantViolationError.js';
import { type TaskHistory, taskHistories } from './taskHistories.js';
import type { Trace, TraceTask } from './types.js';

function queued(task: TraceTask, readyAt: number): QueuedTask {
  return {
    id: task.id,
    priority: task.priority,
    seq: task.seq,
    readyAt,
    estimateMs: task.estimateMs ?? undefined,
    group: task.group,
    resources: task.resources,
  };
}

function fits(request: Readonly<Record<string, number>>, taken: ReadonlyMap<string, number>, trace: Trace): boolean {
  return Object.entries(request).every(([name, amount]) => (taken.get(name) ?? 0) + amount <= (trace.resources[name] ?? 0));
}

function add(into: Map<string, number>, request: Readonly<Record<string, number>>, sign: 1 | -1): void {
  for (const [name, amount] of Object.entries(request)) into.set(name, (into.get(name) ?? 0) + sign * amount);
}

/**
 * Dispatch order: whenever a task T starts, no waiting task U that `compare` ranks before T could
 * have started instead. U could have started if its request fits in the capacity minus what was
 * running and minus the requests of every waiting task ranked before U (the reservations the
 * dispatch loop makes). So a lower-ranked task may pass a higher-ranked one only when the
 * higher-ranked one did not fit, which keeps the check valid with reservations and backfill.
 * A task waits from the event that made it ready (its scheduling or its last dependency's
 * completion) to its first start.
 *
 * @example
 * expect(checkDispatchOrder(trace, (a, b) => a.seq - b.seq)).toEqual([]); // a FIFO policy
 */
export function checkDispatchOrder(trace: Trace, compare: (a: QueuedTask, b: QueuedTask) => number): InvariantViolation[] {
  const histories = [...taskHistories(trace).values()];
  const byId = new Map(trace.tasks.map((task) => [task.id, task]));
  const used = new Map<string, number>();
  const violations: InvariantViolation[] = [];
  trace.events.forEach((event, index) => {
    const task = byId.get(event.task);
    if (event.from === 'running' && task) add(used, task.resources, -1);
    if (event.to !== 'running' || !task) return;
    const started = queued(task, event.readyAt ?? event.time);
    const ahead = histories
      .filter((h): h is TaskHistory & { readyAt: number } => isWaiting(h, index) && h.readyAt !== undefined && h.task.id !== task.id)
      .map((h) => queued(h.task, h.readyAt))
      .filter((waiting) => compare(waiting, started) < 0)
      .sort(compare);
    const taken = new Map(used);
    for (const waiting of ahead) {
      if (fits(waiting.resources, taken, trace)) {
        violations.push({
          invariant: 'dispatch-order',
          time: event.time,
          tasks: [task.id, waiting.id],
          message: `task "${task.id}" started while "${waiting.id}", ranked before it, was ready and fitted`,
        });
        break;
      }
      add(taken, waiting.resources, 1);
    }
    add(used, task.resources, 1);
  });
  return violations;
}

function isWaiting(history: TaskHistory, index: number): boolean {
  return history.readyIndex < index && history.firstStart !== undefined && history.firstStart.index > index;
}

/**
 * Priority order, with aging: {@link checkDispatchOrder} with the `priority` policy's order
 * (`compareAgedPriority(agingRatePerMs)`).
 *
 * @example
 * expect(checkPriorityOrder(trace, { agingRatePerMs: agingRatePerMs(1.2) })).toEqual([]);
 */
export function checkPriorityOrder(trace: Trace, options: { agingRatePerMs?: number } = {}): InvariantViolation[] {
  return checkDispatchOrder(trace, compareAgedPriority(options.agingRatePerMs ?? 0));
}
