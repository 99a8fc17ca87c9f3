import type { SchedulerEvents } from '../events.js';
import type { Scheduler } from '../core/scheduler.js';
import type { TaskRecord, TaskStatus } from '../types.js';
import type { Trace, TraceEvent, TraceTask } from './types.js';

/** Options of {@link recordTrace}. */
export interface RecordTraceOptions {
  /** The time source; pass the scheduler's clock. @default Date.now */
  readonly now?: () => number;
  /** The policy name written into the trace. @default 'unknown' */
  readonly policy?: string;
}

/** A recording in progress. */
export interface TraceRecorder {
  /** The trace so far (grows as events arrive). */
  readonly trace: Trace;
  /** Stops listening and returns the trace. */
  stop(): Trace;
}

/**
 * Records every task transition a scheduler emits, with its time, into a {@link Trace} that the
 * invariant checks, `computeMetrics` and `traceToSvg` read. Works on any scheduler, simulated
 * or real; start it before scheduling tasks.
 *
 * @example
 * const clock = new SimulatedClock();
 * const scheduler = createScheduler({ clock, policy: myPolicy });
 * const recorder = recordTrace(scheduler, { now: () => clock.now(), policy: 'mine' });
 * // … schedule and run …
 * assertInvariants(recorder.stop());
 */
export function recordTrace(scheduler: Pick<Scheduler, 'events' | 'getStats'>, options: RecordTraceOptions = {}): TraceRecorder {
  const now = options.now ?? Date.now;
  const stats = scheduler.getStats();
  const resources = Object.fromEntries(
    Object.keys(stats.resources)
      .sort()
      .map((name) => [name, stats.resources[name]?.capacity ?? 0]),
  );
  const tasks: TraceTask[] = [];
  const events: TraceEvent[] = [];
  const statusOf = new Map<string, TaskStatus>();
  const workerOf = new Map<string, number>();
  const busySlots = new Set<number>();

  // A start and an end are stamped with the scheduler's own times (the record's `startedAt`,
  // `completedAt`), not with when their event was emitted: events leave in order, after the
  // executor starts queued before them, and a command's spawn blocks the thread for a while.
  const push = (record: TaskRecord, to: TaskStatus, extra: Partial<TraceEvent> = {}, at = now()): void => {
    const from = statusOf.get(record.id) ?? null;
    if (from === 'running') {
      busySlots.delete(workerOf.get(record.id) ?? -1);
      workerOf.delete(record.id);
    }
    statusOf.set(record.id, to);
    events.push({ time: at, task: record.id, from, to, ...extra });
  };
  const ended = (record: TaskRecord): number => record.completedAt ?? now();

  const handlers: { [K in keyof SchedulerEvents]?: (event: SchedulerEvents[K]) => void } = {
    'task:scheduled': ({ task }) => {
      tasks.push(traceTask(task, tasks.length + 1));
      push(task, 'pending');
    },
    'task:started': ({ task, attempt }) => {
      let worker = 0;
      while (busySlots.has(worker)) worker += 1;
      push(task, 'running', { attempt, worker, readyAt: task.readyAt ?? now() }, task.startedAt ?? now());
      busySlots.add(worker);
      workerOf.set(task.id, worker);
    },
    // An attempt that never ran (dispatched, its work never active) failed while pending: no step.
    'task:retrying': ({ task, delayMs }) => {
      if (statusOf.get(task.id) === 'running') push(task, 'pending', { retryDelayMs: delayMs });
    },
    'task:completed': ({ task }) => push(task, 'completed', {}, ended(task)),
    'task:failed': ({ task, error }) => push(task, 'failed', { reason: error.message }, ended(task)),
    'task:cancelled': ({ task, reason }) => push(task, 'cancelled', { reason }, ended(task)),
  };
  const entries = Object.entries(handlers) as [keyof SchedulerEvents, (event: unknown) => void][];
  for (const [type, handler] of entries) scheduler.events.on(type, handler);

  const trace: Trace = { policy: options.policy ?? 'unknown', maxWorkers: stats.maxWorkers, resources, tasks, events };
  return {
    trace,
    stop: () => {
      for (const [type, handler] of entries) scheduler.events.off(type, handler);
      return trace;
    },
  };
}

function traceTask(record: TaskRecord, seq: number): TraceTask {
  return {
    id: record.id,
    priority: record.priority,
    group: record.group,
    dependencies: [...record.dependencies],
    resources: Object.fromEntries(Object.entries(record.resources).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    estimateMs: record.estimateMs ?? null,
    seq,
  };
}
