import { AttemptInterruptedError } from '../errors.js';
import type { MeasuredUsage, TaskContext, TaskSpec } from '../types.js';
import type { Attempt, Executor, OutcomeSink } from '../core/Executor.js';
import { toError } from '../internal/toError.js';

/** One running attempt's abort controller, created when the work first reads its signal. */
interface Running {
  readonly attempt: number;
  controller: AbortController | undefined;
}

/**
 * The default {@link Executor}: runs each attempt's work function on this thread (worker threads
 * and shell commands are work functions too: see `createWorkerPool` and `commandTask`). Its
 * outcome is reported when the promise settles; a throw is a failure.
 *
 * @example
 * createScheduler({ executor: inlineExecutor() });
 */
export function inlineExecutor(): Executor {
  const running = new Map<string, Running>();
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  // One function for the executor's life, not one per attempt.
  const settle = (attempt: Attempt, holder: Running, report: OutcomeSink, outcome: Parameters<OutcomeSink>[2]): void => {
    if (running.get(attempt.taskId) === holder) running.delete(attempt.taskId);
    inFlight--;
    report(attempt.taskId, attempt.attempt, outcome);
    if (inFlight === 0 && waiters.length > 0) {
      const settled = waiters;
      waiters = [];
      settled.forEach((resolve) => resolve());
    }
  };
  return {
    name: 'inline',
    get inFlight() {
      return inFlight;
    },
    start(attempt: Attempt, report: OutcomeSink): void {
      // One holder per attempt: a retry must not hand the old attempt the new signal.
      const holder: Running = { attempt: attempt.attempt, controller: undefined };
      running.set(attempt.taskId, holder);
      const context: TaskContext<any> = {
        get task() {
          return attempt.record();
        },
        config: attempt.config,
        attempt: attempt.attempt,
        get signal() {
          holder.controller ??= new AbortController();
          return holder.controller.signal;
        },
        reportUsage: usageReporter(attempt),
        spawn: spawner(attempt),
      };
      let work: Promise<unknown>;
      try {
        work = Promise.resolve(attempt.run(context));
      } catch (error) {
        work = Promise.reject(error);
      }
      inFlight++;
      work.then(
        (result) => settle(attempt, holder, report, { ok: true, result }),
        (error: unknown) => settle(attempt, holder, report, { ok: false, error: toError(error) }),
      );
    },
    // Its work ran in the process that stopped: the attempt is over, interrupted.
    adopt(attempt: Attempt, report: OutcomeSink): void {
      report(attempt.taskId, attempt.attempt, { ok: false, error: new AttemptInterruptedError(attempt.taskId, attempt.attempt) });
    },
    abort(taskId: string, attempt: number, reason: Error): void {
      const holder = running.get(taskId);
      if (holder === undefined || holder.attempt !== attempt) return;
      running.delete(taskId);
      // Created here if the work never read its signal, so a late read still sees the reason.
      holder.controller ??= new AbortController();
      holder.controller.abort(reason);
    },
    onSettled(): Promise<void> {
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

// The context's functions are its own properties (work may destructure them or spread the
// context), made here rather than as named arrows in the literal: a named function costs a
// `name` definition per attempt where names are kept (tsx, esbuild's keepNames).
function usageReporter(attempt: Attempt): (usage: MeasuredUsage) => void {
  return (usage) => attempt.measured?.(usage);
}

function spawner(attempt: Attempt): (specs: readonly TaskSpec<any>[]) => string[] {
  return (specs) => attempt.spawn(specs);
}
