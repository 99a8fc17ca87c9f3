/** The exit codes of the `xeno-scheduler` command. */
export const ExitCode = {
  /** Every task completed (or the command did what it was asked). */
  OK: 0,
  /** At least one task failed or was cancelled, or something unexpected went wrong. */
  FAILED: 1,
  /** Bad input: a flag, a configuration or a workload file; nothing ran. */
  BAD_INPUT: 2,
  /** Interrupted by SIGINT, SIGTERM or SIGHUP: running tasks were cancelled (128 + SIGINT's number). */
  INTERRUPTED: 130,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
