import { SimulatedClock } from 'xstate';
import type { SchedulerClock } from '../types.js';

/**
 * XState's `SimulatedClock` plus what a driver needs: the time of the next pending timer.
 * Timers fire only when the driver calls {@link SimulationClock.advanceTo}, synchronously and in
 * due-time order, so a run under it is deterministic.
 *
 * @example
 * const clock = new SimulationClock();
 * clock.setTimeout(() => console.log('at 50'), 50);
 * clock.nextDueTime(); // 50
 * clock.advanceTo(50); // logs "at 50"
 */
export class SimulationClock implements SchedulerClock {
  readonly #inner = new SimulatedClock();
  readonly #dueTimes = new Map<number, number>();

  now(): number {
    return this.#inner.now();
  }

  setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    const id = this.#inner.setTimeout(() => {
      this.#dueTimes.delete(id);
      fn();
    }, timeout);
    this.#dueTimes.set(id, this.#inner.now() + Math.max(0, timeout));
    return id;
  }

  clearTimeout(id: unknown): void {
    if (typeof id !== 'number') return;
    this.#inner.clearTimeout(id);
    this.#dueTimes.delete(id);
  }

  /** When the earliest pending timer is due, or undefined when none is pending. */
  nextDueTime(): number | undefined {
    let next: number | undefined;
    for (const due of this.#dueTimes.values()) if (next === undefined || due < next) next = due;
    return next;
  }

  /** How many pending timers are due at exactly `time`. */
  dueCountAt(time: number): number {
    let count = 0;
    for (const due of this.#dueTimes.values()) if (due === time) count += 1;
    return count;
  }

  /** Moves time forward to `time` (never back) and fires every timer due by then. */
  advanceTo(time: number): void {
    this.#inner.set(Math.max(time, this.#inner.now()));
  }
}
