import { ModuleFailedError } from './ModuleFailedError.js';
import type { CapturedRun } from './runCapturingOutput.js';

/** What a module task with `captureOutput` resolves with. */
export interface ModuleResult<T = unknown> {
  /** What the export returned. */
  readonly value: T;
  /** What it printed to stdout, at most the limit. */
  readonly stdout: string;
  /** What it printed to stderr, at most the limit. */
  readonly stderr: string;
  /** Whether stdout or stderr went over the limit and was cut. */
  readonly truncated: boolean;
}

/**
 * Turns a captured run of a module's export into the task's outcome: a {@link ModuleResult}, or a
 * {@link ModuleFailedError} carrying the output. A run its signal stopped rejects with the
 * signal's reason, as every stopped task does.
 *
 * @example
 * ```ts
 * return settleCapturedRun(await runCapturingOutput(() => work(ctx), maxBytes), ctx.signal);
 * ```
 */
export function settleCapturedRun<T>({ outcome, stdout, stderr, truncated }: CapturedRun<T>, signal: AbortSignal): ModuleResult<T> {
  if (outcome.status === 'fulfilled') return { value: outcome.value, stdout, stderr, truncated };
  if (signal.aborted) throw signal.reason;
  throw new ModuleFailedError(outcome.reason, { stdout, stderr });
}
