import { context, trace } from '@opentelemetry/api';
import type { SchedulerEvents } from '../events.js';
import type { Scheduler } from '../core/scheduler.js';
import type { TaskEventRecorder } from './TaskEventRecorder.js';

/**
 * Hands a scheduler's task events to `recorders`, one listener per event for all of them, so
 * each event's record is built once; returns what removes the listeners. Without a recorder that
 * wants `scheduled`, none listens to it, and the scheduler skips building that record.
 *
 * @example
 * const unlisten = listenToTasks(scheduler, recorders, Date.now);
 * unlisten();
 */
export function listenToTasks(scheduler: Scheduler, recorders: readonly TaskEventRecorder[], now: () => number): () => void {
  if (recorders.length === 0) return () => {};
  const onScheduled = recorders.filter((recorder) => recorder.scheduled !== undefined);
  const handlers: { [K in keyof SchedulerEvents]?: (event: SchedulerEvents[K]) => void } = {
    'task:started': ({ task, attempt }) => {
      for (const recorder of recorders) recorder.started(task, attempt);
    },
    'task:retrying': ({ task, error }) => {
      const at = now();
      for (const recorder of recorders) recorder.retrying?.(task, error, at);
    },
    'task:completed': ({ task }) => {
      for (const recorder of recorders) recorder.ended(task, 'completed', {});
    },
    'task:failed': ({ task, error }) => {
      for (const recorder of recorders) recorder.ended(task, 'failed', { error });
    },
    'task:cancelled': ({ task, reason }) => {
      for (const recorder of recorders) recorder.ended(task, 'cancelled', { reason });
    },
  };
  if (onScheduled.length > 0) {
    handlers['task:scheduled'] = ({ task }) => {
      // The caller's context, kept only where a span is active in it (most tasks have none).
      const active = context.active();
      const parent = trace.getSpan(active) === undefined ? undefined : active;
      for (const recorder of onScheduled) recorder.scheduled?.(task, parent);
    };
  }
  const entries = Object.entries(handlers) as [keyof SchedulerEvents, (event: unknown) => void][];
  for (const [type, handler] of entries) scheduler.events.on(type, handler);
  return () => {
    for (const [type, handler] of entries) scheduler.events.off(type, handler);
  };
}
