import type { SchedulerClock } from '../types.js';

/** What the deadlines need to know of the tasks. */
export interface DeadlineHost {
  /** The scheduler's clock (its TimerQueue, which flushes the outbox after each batch of timers). */
  readonly clock: SchedulerClock;
  /** The deadline of a task still waiting for its dependencies; undefined once it is not. */
  deadlineOf(id: string): number | undefined;
  /** The task waited too long. */
  expire(id: string): void;
}

/**
 * Dependency deadlines: every task gets the same timeout, so deadlines arrive in creation order
 * and a FIFO with one timer serves them all (an XState delay per waiting task would make every
 * actor stop scan all of them: xstate's cancelAll walks every scheduled event in the system).
 *
 * @example
 * deadlines.arm('lemma');
 * deadlines.stop(); // no timer left armed
 */
export class DependencyDeadlines {
  readonly #host: DeadlineHost;
  #ids: string[] = [];
  #head = 0;
  #timer: unknown;

  constructor(host: DeadlineHost) {
    this.#host = host;
  }

  arm(id: string): void {
    this.#ids.push(id);
    if (this.#timer === undefined) this.#armTimer();
  }

  /** Clears the timer and every deadline: a stopped (or idle) scheduler holds no timer. */
  stop(): void {
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#ids = [];
    this.#head = 0;
  }

  #armTimer(): void {
    const host = this.#host;
    while (this.#head < this.#ids.length) {
      const deadline = host.deadlineOf(this.#ids[this.#head] as string);
      if (deadline === undefined) {
        this.#head++;
        continue;
      }
      this.#timer = host.clock.setTimeout(() => {
        this.#timer = undefined;
        this.#expireDue();
      }, Math.max(0, deadline - host.clock.now()));
      return;
    }
    this.#ids = [];
    this.#head = 0;
  }

  #expireDue(): void {
    const host = this.#host;
    const now = host.clock.now();
    while (this.#head < this.#ids.length) {
      const id = this.#ids[this.#head] as string;
      const deadline = host.deadlineOf(id);
      if (deadline !== undefined) {
        if (deadline > now) break;
        host.expire(id);
      }
      this.#head++;
    }
    this.#armTimer();
  }
}
