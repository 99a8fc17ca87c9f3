import { SimulatedClock } from 'xstate';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import type { TaskContext, TaskRun } from '../../src/types.js';
import type { SchedulerOptions } from '../../src/core/SchedulerOptions.js';

/** Lets every pending promise callback and microtask run (no timers involved). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A work function whose attempts the test resolves or rejects by hand. */
export interface ManualWork {
  readonly run: TaskRun;
  /** Contexts of the attempts started so far, in order. */
  readonly calls: TaskContext[];
  resolve(value?: unknown, attempt?: number): void;
  reject(error: Error, attempt?: number): void;
}

/** Creates a {@link ManualWork}. */
export function manualWork(): ManualWork {
  const calls: TaskContext[] = [];
  const settlers: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  return {
    calls,
    run: (ctx) => {
      calls.push(ctx);
      return new Promise((resolve, reject) => settlers.push({ resolve, reject }));
    },
    resolve: (value, attempt = calls.length) => settlers[attempt - 1]?.resolve(value),
    reject: (error, attempt = calls.length) => settlers[attempt - 1]?.reject(error),
  };
}

/** A scheduler on a simulated clock (starting at `startAt` ms), with helpers to move time. */
export function simulatedScheduler(options: SchedulerOptions = {}, startAt = 0): {
  scheduler: Scheduler;
  clock: SimulatedClock;
  advance(ms: number): Promise<void>;
} {
  const clock = new SimulatedClock();
  clock.set(startAt);
  const scheduler = createScheduler({ ...options, clock });
  return {
    scheduler,
    clock,
    advance: async (ms) => {
      await settle();
      clock.increment(ms);
      await settle();
    },
  };
}
