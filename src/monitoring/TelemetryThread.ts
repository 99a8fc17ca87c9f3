import type { Worker } from 'node:worker_threads';
import { reviveError } from '../executors/serializeError.js';
import { MonitoringOptionsError } from './MonitoringOptionsError.js';
import type { FromTelemetry, ToTelemetry } from './TelemetryMessages.js';
import { TelemetryThreadError } from './TelemetryThreadError.js';

const SETUP_EXPECTED = 'a module whose default export returns { tracerProvider?, meterProvider?, forceFlush?, shutdown? }';

/**
 * The scheduler's end of a telemetry thread ({@link instrumentSchedulerInThread}): its start,
 * the requests and their answers, the events it has recorded, and what happens when it dies (the
 * requests waiting are rejected, `onFailure` runs, a process warning tells).
 *
 * @example
 * const thread = new TelemetryThread(new Worker(entry), 'instrumentSchedulerInThread');
 * await thread.ready('file:///app/telemetry.js');
 * await thread.request('flush');
 */
export class TelemetryThread {
  readonly #worker: Worker;
  readonly #origin: string;
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #failure: Error | undefined;
  #isEnding = false;
  /** `stop` was asked: nothing more may be. */
  #isStopping = false;
  /** Events the thread has recorded. */
  recorded = 0;
  /** Called once if the thread fails while running. */
  onFailure: (() => void) | undefined;

  readonly #timeoutMs: number;

  /** @param timeoutMs how long the setup, a flush or a stop may take before it is given up */
  constructor(worker: Worker, origin: string, timeoutMs: number) {
    this.#worker = worker;
    this.#origin = origin;
    this.#timeoutMs = timeoutMs;
  }

  /** Resolves when the setup module has run in the thread; rejects, and ends it, when it failed. */
  ready(setup: string): Promise<void> {
    const worker = this.#worker;
    return new Promise<void>((resolve, reject) => {
      let isSettled = false;
      const timer = setTimeout(() => refuse(`its setup did not settle within ${this.#timeoutMs} ms (option timeoutMs)`), this.#timeoutMs);
      const refuse = (detail: string): void => {
        if (isSettled) return;
        isSettled = true;
        clearTimeout(timer);
        void worker.terminate();
        reject(new MonitoringOptionsError(this.#origin, 'setup', SETUP_EXPECTED, `${setup}: ${detail}`));
      };
      const onMessage = (message: FromTelemetry): void => {
        if (message.type === 'ready') {
          isSettled = true;
          clearTimeout(timer);
          worker.off('error', onError).off('exit', onExit).off('message', onMessage);
          this.#listen();
          resolve();
        } else if (message.type === 'setup-failed') refuse(`${message.error.name}: ${message.error.message}`);
      };
      const onError = (error: Error): void => refuse(`${error.name}: ${error.message}`);
      const onExit = (code: number): void => refuse(`the thread ended (exit code ${code}) before its setup settled`);
      worker.on('message', onMessage).once('error', onError).once('exit', onExit);
    });
  }

  /** Posts a batch or stats; nothing once the thread failed or is ending. */
  post(message: ToTelemetry, transfer: ArrayBuffer[] = []): void {
    if (this.#failure === undefined && !this.#isEnding) this.#worker.postMessage(message, transfer);
  }

  /**
   * Asks the thread to flush or stop; resolves with its answer, or rejects after the timeout.
   * While an answer is awaited the thread keeps the process alive.
   */
  request(type: 'flush' | 'stop'): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#isStopping) return Promise.reject(new TelemetryThreadError(`cannot ${type}: the thread was stopped`));
    if (type === 'stop') this.#isStopping = true;
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#answered(id);
        reject(new TelemetryThreadError(`${type} did not finish within ${this.#timeoutMs} ms (option timeoutMs)`));
      }, this.#timeoutMs);
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        if (error === undefined) resolve();
        else reject(error);
      };
      this.#pending.set(id, { resolve: () => settle(), reject: settle });
      this.#worker.ref();
      this.#worker.postMessage({ type, id } satisfies ToTelemetry);
    });
  }

  /** Forgets request `id`; with none left, the thread no longer keeps the process alive. */
  #answered(id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0 && !this.#isEnding) this.#worker.unref();
  }

  /** Ends the thread (after `stop` was answered, or failed). */
  async end(): Promise<void> {
    this.#isEnding = true;
    await this.#worker.terminate();
    for (const waiting of this.#pending.values()) waiting.reject(new TelemetryThreadError('the thread ended before it answered'));
    this.#pending.clear();
  }

  #listen(): void {
    const worker = this.#worker;
    worker.on('message', (message: FromTelemetry) => {
      if (message.type === 'recorded') this.recorded += message.events;
      else if (message.type === 'flushed' || message.type === 'stopped') {
        const waiting = this.#pending.get(message.id);
        this.#answered(message.id);
        if (message.error === undefined) waiting?.resolve();
        else waiting?.reject(new TelemetryThreadError(`${message.type === 'flushed' ? 'flush' : 'shutdown'} failed: ${message.error.message}`, { cause: reviveError(message.error) }));
      }
    });
    worker.on('error', (error) => this.#fail(new TelemetryThreadError(`it failed and records nothing more: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      if (!this.#isEnding) this.#fail(new TelemetryThreadError(`it exited with code ${code} and records nothing more`));
    });
    // Not the reason the process stays up (a request awaited is): unref'd after the listeners,
    // since adding a message listener refs the thread's port again.
    worker.unref();
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.onFailure?.();
    for (const waiting of this.#pending.values()) waiting.reject(error);
    this.#pending.clear();
    if (!this.#isEnding) process.emitWarning(error);
  }
}
