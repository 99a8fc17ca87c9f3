import { AsyncLocalStorage } from 'node:async_hooks';
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
  /**
   * Effects in order: a function is run as it is; an event takes two places, its type then its
   * payload (no closure per event: a busy run emits several per task).
   */
  readonly #queue: unknown[] = [];
  readonly #events: Emitter<SchedulerEvents>;
  readonly #beforeEach: () => void;
  #flushing = false;
  /** A {@link Outbox.flushSoon} is due. */
  #isFlushDue = false;
  /** Set by {@link Outbox.halt}: nothing more is queued. */
  #isHalted = false;

  constructor(events: Emitter<SchedulerEvents>, beforeEach: () => void) {
    this.#events = events;
    this.#beforeEach = beforeEach;
  }

  push(effect: () => void): void {
    if (!this.#isHalted) this.#queue.push(effect);
  }

  /**
   * The store cannot write (see `Supervisor.halt`): what is queued is dropped (it followed from
   * transitions the store does not hold) and nothing more is queued; `failure` is reported on the
   * `error` event, in a microtask, outside any call of ours.
   */
  halt(failure: SchedulerError): void {
    this.#isHalted = true;
    this.#queue.length = 0;
    queueMicrotask(() => this.#reportUnqueued(failure));
  }

  /**
   * Emits an event later, if anyone listens (building its payload only then). A `task:scheduled`
   * emitted while the outbox is already flushing (a task scheduled from a listener or from a task's
   * run) is delivered later than its caller's call: it is delivered in the caller's async context
   * (AsyncLocalStorage), so that a listener reading it (a tracer's active span) sees the caller's.
   */
  emit<K extends keyof SchedulerEvents>(type: K, payload: () => SchedulerEvents[K]): void {
    if (this.#isHalted || !this.#isHeard(type)) return;
    if (this.#flushing && type === 'task:scheduled') {
      const event = payload();
      const inCallersContext = AsyncLocalStorage.snapshot();
      this.#queue.push(() => inCallersContext(() => this.#deliver(type, event)));
      return;
    }
    this.#queue.push(type, payload());
  }

  /** Runs every effect queued, including those queued while it runs. */
  flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    const queue = this.#queue;
    let i = 0;
    try {
      for (; ; i++) {
        this.#beforeEach();
        if (i >= queue.length) break;
        const item = queue[i];
        if (typeof item === 'string') this.#deliver(item as keyof SchedulerEvents, queue[++i]);
        else this.#run(item as () => void);
      }
      queue.length = 0;
    } finally {
      // Only a throwing beforeEach gets here early: what ran is dropped, the rest waits for the next flush.
      if (queue.length > 0) queue.splice(0, i + 1);
      this.#flushing = false;
    }
  }

  /**
   * Flushes at the end of this turn of the event loop (`setImmediate`), once however often it is
   * asked meanwhile. With a store, `beforeEach` commits what the flush's effects follow from: the
   * outcomes executors report in one turn (four no-op tasks finishing together, a burst of remote
   * results) and the starts they free are then one transaction, not one each, and no effect runs
   * before its transaction is committed. A flush that runs sooner (a call of the caller's) takes
   * the effects with it; the due one then finds nothing.
   */
  flushSoon(): void {
    if (this.#isFlushDue) return;
    this.#isFlushDue = true;
    setImmediate(this.#flushDue);
  }

  readonly #flushDue = (): void => {
    this.#isFlushDue = false;
    this.flush();
  };

  /**
   * Reports a failure of user code around the scheduler (a policy, a bug of ours) on the `error`
   * event; with no `error` listener of its own (a `'*'` listener hears it but does not handle it),
   * also as a process warning: the affected task already carries the error.
   */
  reportError(error: SchedulerError): void {
    if (this.#isHalted) return this.#reportUnqueued(error);
    if (this.#isHeard('error')) this.#queue.push('error', { error });
    if (!this.#hasErrorListener()) process.emitWarning(error);
  }

  /** {@link Outbox.reportError} for a halted outbox: delivered now, queued nowhere. */
  #reportUnqueued(error: SchedulerError): void {
    if (this.#isHeard('error')) this.#deliver('error', { error });
    if (!this.#hasErrorListener()) process.emitWarning(error);
  }

  /** True when `type` has a listener, or `*` has one (mitt leaves an empty list behind `off`). */
  #isHeard(type: keyof SchedulerEvents): boolean {
    const all = this.#events.all;
    return (all.get(type)?.length ?? 0) > 0 || (all.get('*')?.length ?? 0) > 0;
  }

  /**
   * True when `error` has a listener of its own: only that handles an error, as with a Node
   * EventEmitter. A `'*'` listener (a progress view, a tracer) hears it but handles nothing.
   */
  #hasErrorListener(): boolean {
    return (this.#events.all.get('error')?.length ?? 0) > 0;
  }

  /**
   * Hands an event to its listeners, then to the wildcard ones, as mitt's `emit` does (the lists
   * as they are now), but each listener on its own: one that throws costs the others nothing.
   */
  #deliver(type: keyof SchedulerEvents, event: unknown): void {
    const all = this.#events.all;
    const handlers = all.get(type) as ((event: unknown) => void)[] | undefined;
    // One listener (the common case) needs no copy to be safe from changes made while it runs.
    if (handlers?.length === 1) this.#call(type, handlers[0] as (event: unknown) => void, event);
    else if (handlers !== undefined) for (const handler of handlers.slice()) this.#call(type, handler, event);
    const wildcards = all.get('*') as ((type: string, event: unknown) => void)[] | undefined;
    if (wildcards === undefined || wildcards.length === 0) return;
    for (const handler of wildcards.slice()) {
      try {
        handler(type, event);
      } catch (error) {
        this.#listenerThrew(type, error);
      }
    }
  }

  #call(type: keyof SchedulerEvents, handler: (event: unknown) => void, event: unknown): void {
    try {
      handler(event);
    } catch (error) {
      this.#listenerThrew(type, error);
    }
  }

  /** What a listener of `error` throws is not handed back to the `error` listeners (it would throw again): it is uncaught. */
  #listenerThrew(type: keyof SchedulerEvents, error: unknown): void {
    if (type === 'error') throwUncaught(error);
    else this.#reportListenerError(error);
  }

  #run(effect: () => void): void {
    try {
      effect();
    } catch (error) {
      // A throwing effect must not cost the effects queued after it (work starts among them).
      this.#reportListenerError(error);
    }
  }

  /**
   * A listener threw: the `error` event hears it now; with no `error` listener of its own (a `'*'`
   * one hears it, handling nothing), it is also uncaught, as with a Node EventEmitter.
   */
  #reportListenerError(error: unknown): void {
    if (this.#isHeard('error')) this.#deliver('error', { error: toError(error) });
    if (!this.#hasErrorListener()) throwUncaught(error);
  }
}

/** Throws `error` outside the scheduler's call stack, where nothing of ours can be left half done. */
function throwUncaught(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
