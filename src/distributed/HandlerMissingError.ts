import { SchedulerError } from '../errors.js';

/** A job reached a worker that has no handler for its task's type (and no command or module to run). */
export class HandlerMissingError extends SchedulerError {
  readonly type: string;
  readonly node: string;
  constructor(type: string, node: string, known: readonly string[]) {
    super(
      'HANDLER_MISSING',
      `the worker on node "${node}" has no handler for task type "${type}" (it has: ${known.join(', ') || 'none'})`,
    );
    this.name = 'HandlerMissingError';
    this.type = type;
    this.node = node;
  }
}
