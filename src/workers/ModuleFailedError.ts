import { SchedulerError } from '../errors.js';

/** What a module task printed before it failed. */
export interface ModuleFailure {
  /** Captured standard output, at most the limit. */
  readonly stdout: string;
  /** Captured standard error, at most the limit. */
  readonly stderr: string;
}

/**
 * A module task with `captureOutput` threw or rejected: the error it threw is the `cause` and
 * gives the message, and what the task printed rides along, as a command's does on a
 * CommandFailedError.
 */
export class ModuleFailedError extends SchedulerError {
  readonly stdout: string;
  readonly stderr: string;
  constructor(cause: unknown, output: ModuleFailure) {
    super('MODULE_FAILED', cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ModuleFailedError';
    this.stdout = output.stdout;
    this.stderr = output.stderr;
  }
}
