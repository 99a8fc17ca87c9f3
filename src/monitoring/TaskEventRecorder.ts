import type { Context } from '@opentelemetry/api';
import type { TaskRecord } from '../types.js';

/** The final statuses a task can end in. */
export type FinalStatus = 'completed' | 'failed' | 'cancelled';

/**
 * What {@link instrumentScheduler} hands each task event to: one recorder for spans, one for
 * metrics, behind one set of listeners so that each event builds its record once. They take
 * everything they need as arguments and read no scheduler.
 */
export interface TaskEventRecorder {
  /** A task was accepted; `parent` is the context active then, when a span was active in it. */
  scheduled?: ((task: TaskRecord, parent: Context | undefined) => void) | undefined;
  /** An attempt began; `task.startedAt` is its start. */
  started(task: TaskRecord, attempt: number): void;
  /** The attempt running failed at `at` (the scheduler's clock, ms) and another follows. */
  retrying?(task: TaskRecord, error: Error, at: number): void;
  /** The task ended for good; `task.completedAt` is when. `error` on failure, `reason` on cancel. */
  ended(task: TaskRecord, status: FinalStatus, detail: { readonly error?: Error; readonly reason?: string }): void;
  /** Lets go of what the recorder registered. */
  stop?(): void;
}
