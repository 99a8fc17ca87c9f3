import type { SchedulerStats } from '../types.js';
import type { SerializedError } from '../executors/serializeError.js';

/**
 * The wire between a scheduler's thread and its telemetry thread. Task events travel as one
 * binary batch (BinaryWriter) per message, transferred, not copied: a kind (u8), then that kind's
 * fields in a fixed order. "task" stands for id, name (none when it is the id), type, priority,
 * dependencies (a count, then ids), createdAt, readyAt; an error is name, message, stack and code.
 * NaN stands for a time that is undefined.
 *
 * - `SCHEDULED` task, parent span context (a flag, then trace id, span id, flags, trace state,
 *   remote): sent only for a task with dependencies or a parent span
 * - `STARTED` task, startedAt, attempt
 * - `RETRYING` id, at, node, error
 * - `COMPLETED` id, completedAt, node
 * - `ENDED` task, status (0 failed, 1 cancelled), completedAt, node, attempts, then the error or
 *   the cancel reason: a failure or a cancel, which may come without a start
 */
export const EventKind = Object.freeze({ SCHEDULED: 0, STARTED: 1, RETRYING: 2, COMPLETED: 3, ENDED: 4 });

/** What the scheduler's thread posts to the telemetry thread. */
export type ToTelemetry =
  | { readonly type: 'events'; readonly buffer: ArrayBuffer; readonly events: number; readonly stats: SchedulerStats }
  | { readonly type: 'stats'; readonly stats: SchedulerStats }
  | { readonly type: 'flush'; readonly id: number }
  | { readonly type: 'stop'; readonly id: number };

/** What the telemetry thread answers. */
export type FromTelemetry =
  | { readonly type: 'ready' }
  | { readonly type: 'setup-failed'; readonly error: SerializedError }
  | { readonly type: 'recorded'; readonly events: number }
  | { readonly type: 'flushed'; readonly id: number; readonly error?: SerializedError }
  | { readonly type: 'stopped'; readonly id: number; readonly error?: SerializedError };

/** What the telemetry thread is started with (its `workerData`). */
export interface TelemetryThreadData {
  /** URL of the app's setup module. */
  readonly setup: string;
  /** Handed to the setup module's default export. */
  readonly setupData: unknown;
  readonly common: Readonly<Record<string, string>>;
  readonly linkLimit: number;
  readonly waitSpans: boolean;
  readonly traces: boolean;
  readonly metrics: boolean;
  /** The scheduler's stats when the thread was started. */
  readonly stats: SchedulerStats;
}
