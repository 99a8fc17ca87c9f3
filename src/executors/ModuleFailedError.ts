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
// Not a SchedulerError yet: its code union (src/errors.ts) has no 'MODULE_FAILED'.
export class ModuleFailedError extends Error {
  readonly code = 'MODULE_FAILED';
  readonly stdout: string;
  readonly stderr: string;
  constructor(cause: unknown, output: ModuleFailure) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ModuleFailedError';
    this.stdout = output.stdout;
    this.stderr = output.stderr;
  }
}
