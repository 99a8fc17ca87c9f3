import type { Executor } from './Executor.js';

/**
 * Resolves when every attempt the executor started has settled, or after `graceMs` of real time:
 * work that ignores its abort signal must not hold `stop()` forever. The grace timer is not
 * unref'd: the caller awaits this, and Node must not exit in the middle of the await (exit code
 * 13) because only unsettled work is left.
 *
 * @example
 * await drain(executor, 5000);
 */
export async function drain(executor: Executor, graceMs: number): Promise<void> {
  if (executor.inFlight === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.min(graceMs, 2 ** 31 - 1));
  });
  await Promise.race([executor.onSettled(), expired]);
  clearTimeout(timer);
}
