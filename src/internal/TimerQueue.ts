import type { SchedulerClock } from '../types.js';
import { IndexedHeap } from './IndexedHeap.js';

/** setTimeout's largest delay: a longer one is chained through re-arms at most this long. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

interface Timer {
  readonly id: string;
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock that multiplexes any number of timers onto one timer of a base clock. XState asks its
 * clock for a timer per delayed transition; handing it this clock keeps the task machine's
 * `after` delays as they are while costing a heap push instead of a Node timer each (a Node
 * timer per task was measured at about 30 µs of allocation and GC per set/clear pair).
 *
 * Due timers run in due order, ties in the order they were set. `onFired` runs after each batch.
 *
 * @example
 * const clock = new TimerQueue(realClock);
 * const id = clock.setTimeout(() => console.log('tick'), 100);
 * clock.clearTimeout(id);
 */
export class TimerQueue implements SchedulerClock {
  readonly #base: SchedulerClock;
  readonly #heap = new IndexedHeap<Timer>((a, b) => a.due - b.due || a.seq - b.seq, (t) => t.id);
  #seq = 0;
  #armedAt: number | undefined;
  #armedHandle: unknown;
  #onFired: () => void;

  constructor(base: SchedulerClock, onFired: () => void = () => {}) {
    this.#base = base;
    this.#onFired = onFired;
  }

  /** Sets the callback that runs after each batch of due timers. */
  set onFired(callback: () => void) {
    this.#onFired = callback;
  }

  /** Pending timers. */
  get size(): number {
    return this.#heap.size;
  }

  now(): number {
    return this.#base.now();
  }

  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown {
    const seq = this.#seq++;
    const timer: Timer = { id: String(seq), due: this.#base.now() + Math.max(0, timeout), seq, fn };
    this.#heap.push(timer);
    if (this.#armedAt === undefined || timer.due < this.#armedAt) this.#arm(timer.due);
    return timer.id;
  }

  clearTimeout(id: unknown): void {
    if (typeof id !== 'string' || !this.#heap.remove(id)) return;
    // Nothing left to wait for: let the process exit instead of holding a base timer.
    if (this.#heap.size === 0 && this.#armedAt !== undefined) {
      this.#base.clearTimeout(this.#armedHandle);
      this.#armedAt = undefined;
    }
  }

  #arm(due: number): void {
    if (this.#armedAt !== undefined) this.#base.clearTimeout(this.#armedHandle);
    this.#armedAt = due;
    // Node fires a delay above 2^31-1 ms after 1 ms (with a warning): a far timer is chained, the
    // base timer wakes at most every ~24.8 days and re-arms for what is left.
    const delay = Math.min(MAX_TIMER_DELAY_MS, Math.max(0, due - this.#base.now()));
    this.#armedHandle = this.#base.setTimeout(() => this.#fire(), delay);
  }

  /** Drops every timer and the base timer: nothing of this queue keeps a process alive. */
  clear(): void {
    this.#heap.clear();
    if (this.#armedAt !== undefined) this.#base.clearTimeout(this.#armedHandle);
    this.#armedAt = undefined;
  }

  #fire(): void {
    this.#armedAt = undefined;
    const now = this.#base.now();
    for (let head = this.#heap.peek(); head !== undefined && head.due <= now; head = this.#heap.peek()) {
      this.#heap.pop();
      head.fn();
    }
    // A callback may have armed the base timer for a later timer than the new head, or for one
    // this batch already ran: arm for the head, or for nothing when none is left.
    const next = this.#heap.peek();
    if (next === undefined) {
      if (this.#armedAt !== undefined) this.#base.clearTimeout(this.#armedHandle);
      this.#armedAt = undefined;
    } else if (this.#armedAt !== next.due) {
      this.#arm(next.due);
    }
    this.#onFired();
  }
}

/** The real clock: Node's timers and `Date.now()`. */
export const realClock: SchedulerClock = {
  setTimeout: (fn, timeout) => setTimeout(fn, timeout),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};
