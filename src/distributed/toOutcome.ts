import type { AttemptOutcome } from '../core/Executor.js';
import { reviveError } from '../workers/serializeError.js';
import type { AttemptJobResult } from './AttemptJob.js';
import { WorkerLostError } from './WorkerLostError.js';

/** BullMQ's reason for a job whose worker stopped renewing its lock too often. */
const STALLED_REASON = 'job stalled more than allowable limit';

/**
 * An attempt's outcome from its finished job: a worker returns the outcome as data, so a
 * completed job can carry a failure (with name, message and stack); a failed job failed outside
 * the handler (its worker was lost, or its result could not be stored).
 *
 * @example
 * toOutcome({ returnvalue: { ok: true, result: 42, worker: 'w1' } }, 't', 1, 'a'); // { ok: true, result: 42 }
 */
export function toOutcome(
  finished: { readonly returnvalue: unknown } | { readonly failedReason: string },
  taskId: string,
  attempt: number,
  node: string,
): AttemptOutcome {
  if ('failedReason' in finished) {
    if (finished.failedReason === STALLED_REASON) return { ok: false, error: new WorkerLostError(taskId, attempt, node) };
    return { ok: false, error: new Error(`job of task "${taskId}" failed on node "${node}": ${finished.failedReason}`) };
  }
  const value = (typeof finished.returnvalue === 'string' ? JSON.parse(finished.returnvalue) : finished.returnvalue) as AttemptJobResult | null;
  if (value === null || typeof value !== 'object' || !('ok' in value)) return { ok: true, result: value };
  const usage = value.usage === undefined ? {} : { usage: value.usage };
  if (!value.ok) return { ok: false, error: reviveError(value.error), ...usage };
  return { ok: true, result: value.result, ...(value.spawned === undefined ? {} : { spawned: value.spawned }), ...usage };
}
