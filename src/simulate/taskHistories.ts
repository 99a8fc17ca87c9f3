import type { Trace, TraceTask } from './types.js';

/** What the order checks need to know of one task, read off a trace. */
export interface TaskHistory {
  readonly task: TraceTask;
  /** Index in `trace.events` after which the task was ready: its scheduling or its last dependency's completion. `Infinity` if a dependency never completed. */
  readonly readyIndex: number;
  /** `readyAt` of its first start; undefined if it never started. */
  readonly readyAt: number | undefined;
  /** Index and time of its first `→ running`. */
  readonly firstStart: { readonly index: number; readonly time: number } | undefined;
}

/**
 * Indexes a trace by task for the order and starvation checks.
 *
 * @example
 * taskHistories(trace).get('t1')?.firstStart?.time;
 */
export function taskHistories(trace: Trace): Map<string, TaskHistory> {
  const scheduledAt = new Map<string, number>();
  const completedAt = new Map<string, number>();
  const firstStart = new Map<string, { index: number; time: number; readyAt: number | undefined }>();
  trace.events.forEach((event, index) => {
    if (event.from === null && !scheduledAt.has(event.task)) scheduledAt.set(event.task, index);
    if (event.to === 'completed') completedAt.set(event.task, index);
    if (event.to === 'running' && !firstStart.has(event.task)) {
      firstStart.set(event.task, { index, time: event.time, readyAt: event.readyAt });
    }
  });
  const histories = new Map<string, TaskHistory>();
  for (const task of trace.tasks) {
    let readyIndex = scheduledAt.get(task.id) ?? Number.POSITIVE_INFINITY;
    for (const dependency of task.dependencies) {
      readyIndex = Math.max(readyIndex, completedAt.get(dependency) ?? Number.POSITIVE_INFINITY);
    }
    const start = firstStart.get(task.id);
    histories.set(task.id, {
      task,
      readyIndex,
      readyAt: start?.readyAt,
      firstStart: start && { index: start.index, time: start.time },
    });
  }
  return histories;
}
