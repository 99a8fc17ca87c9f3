/** The signals that end a run. */
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** What {@link listenForSignals} returns. */
export interface SignalListener {
  /** Resolves with the first SIGINT or SIGTERM received. */
  readonly received: Promise<NodeJS.Signals>;
  /** Removes the handlers, so the signals' default action (ending the process) applies again. */
  dispose(): void;
}

/**
 * Catches SIGINT (Ctrl-C) and SIGTERM so a run can end cleanly: the first one resolves
 * `received`; a second one, while the clean-up is still going on, calls `onRepeat` (which
 * usually exits at once).
 *
 * @example
 * const signals = listenForSignals(() => process.exit(130));
 * const signal = await Promise.race([scheduler.onIdle().then(() => null), signals.received]);
 * if (signal) await scheduler.stop();
 * signals.dispose();
 */
export function listenForSignals(onRepeat: (signal: NodeJS.Signals) => void): SignalListener {
  let resolve: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((settle) => (resolve = settle));
  let count = 0;
  const handler = (signal: NodeJS.Signals): void => {
    count++;
    if (count === 1) resolve(signal);
    else onRepeat(signal);
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return {
    received,
    dispose() {
      for (const signal of SIGNALS) process.off(signal, handler);
    },
  };
}
