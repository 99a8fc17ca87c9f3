import type { TaskSpec } from '../types.js';
import type { RunDescriptor } from '../workers/runDescriptor.js';
import type { SerializedError } from '../workers/serializeError.js';
import type { MeasuredUsage } from '../usageTypes.js';

/** What a job carries to a worker: one attempt's work, never scheduling state. */
export interface AttemptJobData {
  readonly taskId: string;
  readonly attempt: number;
  readonly type: string;
  readonly config: unknown;
  /** A command or module to run; without one, the worker's handler for `type` runs. */
  readonly run: RunDescriptor | undefined;
  /** The task's record when the attempt started, without result or error. */
  readonly task: Readonly<Record<string, unknown>>;
}

/** What a worker returns for a job: the attempt's outcome (a failure is data, not a thrown error). */
export type AttemptJobResult = (
  /** `spawned`: the children its work spawned (`ctx.spawn`), for the coordinator to schedule. */
  | { readonly ok: true; readonly result: unknown; readonly worker: string; readonly spawned?: readonly TaskSpec[] }
  | { readonly ok: false; readonly error: SerializedError; readonly worker: string }
) & {
  /** What the work measured of itself on the worker (a command's process group: peak memory, CPU time). */
  readonly usage?: MeasuredUsage;
};

/** What a worker announces about itself. */
export interface WorkerAnnouncement {
  readonly id: string;
  readonly node: string;
  readonly concurrency: number;
  readonly resources: Readonly<Record<string, number>>;
  /** Task types it has handlers for. */
  readonly types: readonly string[];
  /** Whether it runs command and module descriptors. */
  readonly runsDescriptors: boolean;
  readonly host: string;
  readonly pid: number;
}

/** A cancel request, broadcast to every worker. */
export interface CancelMessage {
  readonly jobId: string;
  readonly reason: SerializedError;
}

/**
 * The id of an attempt's job: `<runId>.<task id>.<attempt>`, the task id encoded so that it holds
 * no `:` (BullMQ refuses one).
 *
 * @example
 * toJobId('r1', 'build:all', 2); // 'r1.build%3Aall.2'
 */
export function toJobId(runId: string, taskId: string, attempt: number): string {
  return `${runId}.${encodeURIComponent(taskId).replaceAll('.', '%2E')}.${attempt}`;
}
