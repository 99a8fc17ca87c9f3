/** A trigger that runs its function at most once per interval, however often it is poked. */
export interface Coalescer {
  /** Asks for a run: at once if the last was at least `intervalMs` ago, else when that is over. */
  poke(): void;
  /** Cancels a pending run; later pokes are ignored. */
  stop(): void;
}

/**
 * Coalesces bursts: every poke within `intervalMs` of the last run folds into one run at the end
 * of the interval. The timer does not keep the process alive.
 *
 * @example
 * const push = createCoalescer(() => broadcast(diff()), 100);
 * for (const change of burst) push.poke(); // one broadcast
 */
export function createCoalescer(run: () => void, intervalMs: number): Coalescer {
  let timer: NodeJS.Timeout | undefined;
  let lastRun = -Infinity;
  let isStopped = false;
  const fire = (): void => {
    timer = undefined;
    lastRun = Date.now();
    run();
  };
  return {
    poke() {
      if (timer !== undefined || isStopped) return;
      timer = setTimeout(fire, Math.max(0, lastRun + intervalMs - Date.now()));
      timer.unref();
    },
    stop() {
      isStopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
