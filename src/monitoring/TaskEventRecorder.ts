import type { TaskRecord } from '../types.js';

/** The final statuses a task can end in. */
export type FinalStatus = 'completed' | 'failed' | 'cancelled';

/**
 * What {@link instrumentScheduler} hands each task event to: one recorder for spans, one for
 * metrics, behind one set of listeners so that each event builds its record once.
 */
export interface TaskEventRecorder {
  /** A task was accepted (the caller's active context is current). */
  scheduled?(task: TaskRecord): void;
  /** An attempt began; `task.startedAt` is its start. */
  started(task: TaskRecord, attempt: number): void;
  /** The attempt running failed and another follows after `delayMs`. */
  retrying?(task: TaskRecord, error: Error, delayMs: number): void;
  /** The task ended for good; `task.completedAt` is when. `error` on failure, `reason` on cancel. */
  ended(task: TaskRecord, status: FinalStatus, detail: { readonly error?: Error; readonly reason?: string }): void;
  /** Lets go of what the recorder registered. */
  stop?(): void;
}
