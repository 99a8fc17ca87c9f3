import { SchedulerError } from '../errors.js';

/** How a failed command ended and what it printed. */
export interface CommandFailure {
  /** The exit code, or `null` when a signal ended the process. */
  readonly exitCode: number | null;
  /** The signal that ended the process, or `null` when it exited. */
  readonly signal: NodeJS.Signals | null;
  /** Captured standard output, at most `maxOutputBytes`. */
  readonly stdout: string;
  /** Captured standard error, at most `maxOutputBytes`. */
  readonly stderr: string;
}

/** A command task's process exited with a non-zero code or was killed by a signal it did not ask for. */
export class CommandFailedError extends SchedulerError {
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  constructor(command: string, failure: CommandFailure) {
    super('COMMAND_FAILED', `command "${command}" ${describeEnd(failure)}${stderrTail(failure.stderr)}`);
    this.name = 'CommandFailedError';
    this.command = command;
    this.exitCode = failure.exitCode;
    this.signal = failure.signal;
    this.stdout = failure.stdout;
    this.stderr = failure.stderr;
  }
}

const tailLength = 200;

function describeEnd({ exitCode, signal }: CommandFailure): string {
  return signal === null ? `exited with code ${String(exitCode)}` : `was killed by ${signal}`;
}

/** The last line the command wrote to stderr usually says why it failed. */
function stderrTail(stderr: string): string {
  const lastLine = stderr.trimEnd().split('\n').pop() ?? '';
  if (lastLine === '') return '';
  return `: ${lastLine.length > tailLength ? `…${lastLine.slice(-tailLength)}` : lastLine}`;
}
