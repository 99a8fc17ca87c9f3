/** The signals that end a run: Ctrl-C, `kill`, and the terminal closing. */
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** What {@link listenForSignals} returns. */
export interface SignalListener {
  /** Resolves with the `count`-th SIGINT, SIGTERM or SIGHUP since listening began (1 for the first). */
  received(count: number): Promise<NodeJS.Signals>;
  /** Removes the handlers, so the signals' default action (ending the process) applies again. */
  dispose(): void;
}

/**
 * Catches SIGINT (Ctrl-C), SIGTERM and SIGHUP for as long as a run and its clean-up last, so that
 * no signal ends the process before the tasks' processes are killed. A run waits for the first
 * to stop, and for the one after to hurry its clean-up; signals are counted from the start, so
 * one that arrives before anybody waits for it is not lost.
 *
 * @example
 * const signals = listenForSignals();
 * const signal = await Promise.race([scheduler.onIdle().then(() => null), signals.received(1)]);
 * if (signal) {
 *   void signals.received(2).then(() => terminator.hurry());
 *   await scheduler.stop();
 * }
 * signals.dispose();
 */
export function listenForSignals(): SignalListener {
  const seen: NodeJS.Signals[] = [];
  const waiters = new Map<number, ((signal: NodeJS.Signals) => void)[]>();
  const handler = (signal: NodeJS.Signals): void => {
    seen.push(signal);
    for (const wake of waiters.get(seen.length) ?? []) wake(signal);
    waiters.delete(seen.length);
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return {
    received(count) {
      const signal = seen[count - 1];
      if (signal !== undefined) return Promise.resolve(signal);
      return new Promise((resolve) => waiters.set(count, [...(waiters.get(count) ?? []), resolve]));
    },
    dispose() {
      for (const signal of SIGNALS) process.off(signal, handler);
    },
  };
}
