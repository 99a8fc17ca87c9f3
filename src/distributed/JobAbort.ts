/**
 * A job's cancellation on a worker, with its `AbortController` made only when the handler reads
 * `signal`: a controller costs a few µs, and most quick handlers never look at it. A cancel that
 * comes before the signal is read is kept, and the signal is born aborted with its reason.
 *
 * @example
 * const abort = new JobAbort();
 * abort.abort(new Error('cancelled'));
 * abort.signal.aborted; // true
 */
export class JobAbort {
  #controller: AbortController | undefined;
  #reason: unknown;
  #isAborted = false;

  /** The signal the handler sees; made on first read. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#isAborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get isAborted(): boolean {
    return this.#isAborted;
  }

  /** Why it was aborted (undefined while it was not). */
  get reason(): unknown {
    return this.#reason;
  }

  /** Aborts the job's signal, now if it was read, else when it is; only the first reason counts. */
  abort(reason: unknown): void {
    if (this.#isAborted) return;
    this.#isAborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
