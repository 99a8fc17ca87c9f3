import { AttemptInterruptedError } from '../errors.js';

/**
 * An attempt whose worker was lost while it ran (killed, or silent past its lock): an interrupted
 * attempt (code `ATTEMPT_INTERRUPTED`), but the worker's loss, not its scheduler's: it counts as a
 * failed attempt, so the task retries if attempts remain (BullMQ's own stall check found it). Only
 * an attempt lost with its scheduler counts against `maxInterruptions`.
 */
export class WorkerLostError extends AttemptInterruptedError {
  readonly node: string;
  constructor(taskId: string, attempt: number, node: string) {
    super(taskId, attempt);
    this.name = 'WorkerLostError';
    this.message = `task "${taskId}": attempt ${attempt} was interrupted: its worker on node "${node}" was lost`;
    this.node = node;
  }
}
