import type { Emitter } from 'mitt';
import type { SchedulerError } from '../errors.js';
import type { SchedulerEvents } from '../events.js';
import { toError } from '../internal/toError.js';


/**
 * Side effects that call user code (work starts, listeners, waiters) never run inside an actor
 * transition: they wait here, and {@link Outbox.flush} runs them once the actors are at rest, so
 * user code may call back into the scheduler freely. `beforeEach` runs before every effect (the
 * supervisor repairs a queue that threw there).
 *
 * @example
 * outbox.push(() => events.emit('idle', undefined));
 * outbox.flush();
 */
export class Outbox {
  readonly #effects: (() => void)[] = [];
  readonly #events: Emitter<SchedulerEvents>;
  readonly #beforeEach: () => void;
  #flushing = false;

  constructor(events: Emitter<SchedulerEvents>, beforeEach: () => void) {
    this.#events = events;
    this.#beforeEach = beforeEach;
  }

  push(effect: () => void): void {
    this.#effects.push(effect);
  }

  /** Emits an event later, if anyone listens (building its payload only then). */
  emit<K extends keyof SchedulerEvents>(type: K, payload: () => SchedulerEvents[K]): void {
    const events = this.#events;
    if (!events.all.has(type) && !events.all.has('*')) return;
    const event = payload();
    this.#effects.push(() => events.emit(type, event));
  }

  /** Runs every effect queued, including those queued while it runs. */
  flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    const effects = this.#effects;
    for (let i = 0; ; i++) {
      this.#beforeEach();
      if (i >= effects.length) break;
      try {
        (effects[i] as () => void)();
      } catch (error) {
        // A throwing listener must not cost the effects queued after it (work starts among them).
        this.#reportListenerError(error);
      }
    }
    effects.length = 0;
    this.#flushing = false;
  }

  /**
   * Reports a failure of user code around the scheduler (a policy, a bug of ours) on the `error`
   * event; with no listener, as a process warning: the affected task already carries the error.
   */
  reportError(error: SchedulerError): void {
    const events = this.#events;
    if (events.all.has('error')) this.#effects.push(() => events.emit('error', { error }));
    else process.emitWarning(error);
  }

  #reportListenerError(error: unknown): void {
    const events = this.#events;
    if (events.all.has('error')) {
      events.emit('error', { error: toError(error) });
      return;
    }
    // Like a throwing listener on a Node EventEmitter: nobody handles it, so it is uncaught.
    queueMicrotask(() => {
      throw error;
    });
  }
}
