import type { TaskRecord } from '../types.js';
import type { Outbox } from './Outbox.js';

interface Waiter<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Who waits for what: a task's final record (`waitForTask`) and the scheduler's idleness
 * (`onIdle`, the `idle` event). Promises resolve through the outbox, after the listeners of the
 * same step ran: idle means nothing live once they have. After {@link Waiters.fail} (a store
 * that cannot write) every waiter, present and future, rejects.
 */
export class Waiters {
  readonly #tasks = new Map<string, Waiter<TaskRecord>[]>();
  #idle: Waiter<void>[] = [];
  #isIdle = true;
  #failure: Error | undefined;
  readonly #outbox: Outbox;
  readonly #liveCount: () => number;
  readonly #emitIdle: () => void;

  constructor(outbox: Outbox, liveCount: () => number, emitIdle: () => void) {
    this.#outbox = outbox;
    this.#liveCount = liveCount;
    this.#emitIdle = emitIdle;
  }

  forTask(id: string): Promise<TaskRecord> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const list = this.#tasks.get(id);
      if (list) list.push({ resolve, reject });
      else this.#tasks.set(id, [{ resolve, reject }]);
    });
  }

  /** Rejects every waiter with `failure`, and every later one. */
  fail(failure: Error): void {
    this.#failure = failure;
    const waiters = [...this.#tasks.values()].flat();
    this.#tasks.clear();
    const idle = this.#idle;
    this.#idle = [];
    for (const waiter of [...waiters, ...idle]) waiter.reject(failure);
  }

  /** A task ended: its waiters get `record()` after this step's listeners. */
  settle(id: string, record: () => TaskRecord): void {
    const list = this.#tasks.get(id);
    if (!list) return;
    this.#tasks.delete(id);
    const final = record();
    this.#outbox.push(() => list.forEach((waiter) => waiter.resolve(final)));
  }

  forIdle(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#liveCount() === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#idle.push({ resolve, reject }));
  }

  /** Something live was added. */
  busy(): void {
    this.#isIdle = false;
  }

  /** Called after each dispatch pass: resolves the idle waiters once nothing is live. */
  check(): void {
    if (this.#liveCount() !== 0) {
      this.#isIdle = false;
      return;
    }
    if (this.#isIdle) return;
    this.#isIdle = true;
    const waiters = this.#idle;
    this.#idle = [];
    this.#outbox.push(() => {
      // A listener that ran before this (task:completed, say) may have scheduled more work:
      // the waiters then wait for the next idle.
      if (this.#liveCount() !== 0) {
        this.#isIdle = false;
        this.#idle.unshift(...waiters);
        return;
      }
      waiters.forEach((waiter) => waiter.resolve());
      this.#emitIdle();
    });
  }
}
