import { AttemptInterruptedError } from '../errors.js';

/**
 * An attempt whose worker was lost while it ran (killed, or silent past its lock): an interrupted
 * attempt (code `ATTEMPT_INTERRUPTED`), so the task retries if attempts remain.
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
