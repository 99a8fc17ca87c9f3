import { trace, type Context, type SpanContext } from '@opentelemetry/api';
import { BinaryWriter } from '../internal/BinaryWriter.js';
import type { SchedulerStats, TaskRecord } from '../types.js';
import type { FinalStatus, TaskEventRecorder } from './TaskEventRecorder.js';
import { EventKind, type ToTelemetry } from './TelemetryMessages.js';

/** `value` as a string: itself, `fallback` when undefined, else its String() (or its tag when that throws). */
function textOf(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return fallback;
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Options of {@link TelemetryEncoder}. */
export interface EncoderOptions {
  /** Whether the thread records spans: without them, scheduling is not listened to. */
  readonly spans: boolean;
  /** Events the thread has recorded so far (what it acknowledged). @default every event posted */
  readonly recorded?: () => number;
  /** Events the thread may be behind before new ones are dropped. @default no bound */
  readonly maxBacklog?: number;
  /** Called when events start being dropped, with the backlog then. */
  readonly onBehind?: (backlog: number) => void;
}

/** Bytes past which a batch is posted at once, not at the end of the turn. */
const BATCH_BYTES = 60 * 1024;

/**
 * The scheduler's side of a telemetry thread: a {@link TaskEventRecorder} that records nothing
 * itself but writes each event into a binary batch (see {@link EventKind}), transferred with the
 * scheduler's stats once per turn of the event loop, or sooner when it grows large. What it costs
 * the scheduler's thread is the event's record and a few bytes; the spans and metrics are made in
 * the other thread. A structured clone of the same values cost about three times as much there.
 *
 * @example
 * const encoder = new TelemetryEncoder((message, transfer) => worker.postMessage(message, transfer), () => scheduler.getStats());
 * listenToTasks(scheduler, [encoder], Date.now);
 */
export class TelemetryEncoder implements TaskEventRecorder {
  readonly #post: (message: ToTelemetry, transfer: ArrayBuffer[]) => void;
  readonly #readStats: () => SchedulerStats;
  readonly #writer = new BinaryWriter();
  readonly #recorded: () => number;
  readonly #maxBacklog: number;
  readonly #onBehind: (backlog: number) => void;
  #events = 0;
  #isPostScheduled = false;
  #isShedding = false;
  /**
   * Tasks whose attempt's start went to the thread and whose end has not (with a bound only): an
   * end is never dropped once its start went, or the thread would keep that span open for good.
   */
  readonly #open = new Set<string>();
  /** Events posted so far. */
  posted = 0;
  /** Events dropped because the thread was {@link EncoderOptions.maxBacklog} events behind. */
  dropped = 0;

  /** Present only when spans are recorded (they alone need to hear of a task before it starts). */
  readonly scheduled: ((task: TaskRecord, parent: Context | undefined) => void) | undefined;

  constructor(post: (message: ToTelemetry, transfer: ArrayBuffer[]) => void, readStats: () => SchedulerStats, options: EncoderOptions) {
    this.#post = post;
    this.#readStats = readStats;
    this.#recorded = options.recorded ?? (() => this.posted);
    this.#maxBacklog = options.maxBacklog ?? Number.POSITIVE_INFINITY;
    this.#onBehind = options.onBehind ?? (() => {});
    this.scheduled = options.spans ? (task, parent) => this.#onScheduled(task, parent) : undefined;
  }

  /** Events posted or waiting to be, that the thread has not recorded yet. */
  get backlog(): number {
    return this.posted + this.#events - this.#recorded();
  }

  /**
   * Whether an event may be written: not while the thread is `maxBacklog` events behind, and from
   * then on not until it is back to half that (so that it does not flap at the edge).
   */
  #admits(): boolean {
    if (this.#maxBacklog === Number.POSITIVE_INFINITY) return true;
    const backlog = this.backlog;
    if (this.#isShedding ? backlog > this.#maxBacklog / 2 : backlog >= this.#maxBacklog) {
      if (!this.#isShedding) {
        this.#isShedding = true;
        this.#onBehind(backlog);
      }
      this.dropped += 1;
      return false;
    }
    this.#isShedding = false;
    return true;
  }

  #onScheduled(task: TaskRecord, parent: Context | undefined): void {
    const spanContext = parent === undefined ? undefined : trace.getSpanContext(parent);
    if (task.dependencies.length === 0 && spanContext === undefined) return;
    if (!this.#admits()) return;
    const w = this.#writer;
    const mark = w.mark();
    try {
      this.#scheduled(task, spanContext);
    } catch (error) {
      w.rollback(mark);
      throw error;
    }
    this.#added();
  }

  #scheduled(task: TaskRecord, spanContext: SpanContext | undefined): void {
    const w = this.#writer;
    w.u8(EventKind.SCHEDULED);
    this.#task(task);
    if (spanContext === undefined) w.u8(0);
    else {
      w.u8(1);
      w.string(spanContext.traceId);
      w.string(spanContext.spanId);
      w.u8(spanContext.traceFlags);
      w.optionalString(spanContext.traceState?.serialize());
      w.u8(spanContext.isRemote === true ? 1 : 0);
    }
  }

  started(task: TaskRecord, attempt: number): void {
    if (!this.#admits()) return;
    const w = this.#writer;
    w.u8(EventKind.STARTED);
    this.#task(task);
    w.f64(task.startedAt ?? Number.NaN);
    w.f64(attempt);
    this.#added();
    if (this.#maxBacklog !== Number.POSITIVE_INFINITY) this.#open.add(task.id);
  }

  /** Whether the end of task `id`'s attempt may be written: always when its start went, else as any event. */
  #admitsEnd(id: string): boolean {
    return (this.#open.size > 0 && this.#open.delete(id)) || this.#admits();
  }

  retrying(task: TaskRecord, error: Error, at: number): void {
    if (!this.#admitsEnd(task.id)) return;
    const w = this.#writer;
    const mark = w.mark();
    try {
      w.u8(EventKind.RETRYING);
      w.string(task.id);
      w.f64(at);
      w.optionalString(task.node);
      this.#error(error);
    } catch (thrown) {
      w.rollback(mark);
      throw thrown;
    }
    this.#added();
  }

  ended(task: TaskRecord, status: FinalStatus, detail: { readonly error?: Error; readonly reason?: string }): void {
    if (!this.#admitsEnd(task.id)) return;
    const w = this.#writer;
    const mark = w.mark();
    try {
      this.#ended(task, status, detail);
    } catch (thrown) {
      w.rollback(mark);
      throw thrown;
    }
    this.#added();
  }

  #ended(task: TaskRecord, status: FinalStatus, detail: { readonly error?: Error; readonly reason?: string }): void {
    const w = this.#writer;
    if (status === 'completed') {
      w.u8(EventKind.COMPLETED);
      w.string(task.id);
      w.f64(task.completedAt ?? Number.NaN);
      w.optionalString(task.node);
    } else {
      w.u8(EventKind.ENDED);
      this.#task(task);
      w.u8(status === 'failed' ? 0 : 1);
      w.f64(task.completedAt ?? Number.NaN);
      w.optionalString(task.node);
      w.f64(task.attempts);
      if (status === 'failed') this.#error(detail.error ?? task.error ?? new Error('failed'));
      else w.string(textOf(detail.reason, 'cancelled'));
    }
  }

  /** Posts the batch so far, if any, with the stats as they are now. */
  postNow(): void {
    this.#isPostScheduled = false;
    if (this.#events === 0) return;
    const buffer = this.#writer.take();
    const events = this.#events;
    this.posted += events;
    this.#events = 0;
    this.#post({ type: 'events', buffer, events, stats: this.#readStats() }, [buffer]);
  }

  /** The fields every event with a whole task carries: id, name (none when it is the id), type, priority, dependencies, createdAt, readyAt. */
  #task(task: TaskRecord): void {
    const w = this.#writer;
    w.string(task.id);
    w.optionalString(task.name === task.id ? undefined : task.name);
    w.string(task.type);
    w.f64(task.priority);
    w.u32(task.dependencies.length);
    for (const dependency of task.dependencies) w.string(dependency);
    w.f64(task.createdAt);
    w.f64(task.readyAt ?? Number.NaN);
  }

  /**
   * An error as the SDK's `recordException` reads it: name, message, stack, and the `code` it
   * prefers as the exception's type when it is truthy (as a string). Fields that are not strings
   * are made strings; a thrown non-Error is its message.
   */
  #error(error: unknown): void {
    const w = this.#writer;
    const fields = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : { name: 'Error', message: error };
    w.string(textOf(fields.name, 'Error'));
    w.string(textOf(fields.message, ''));
    w.optionalString(typeof fields.stack === 'string' ? fields.stack : undefined);
    const code = fields.code;
    w.optionalString(code ? textOf((code as { toString(): unknown }).toString(), '') : undefined);
  }

  #added(): void {
    this.#events += 1;
    if (this.#writer.length >= BATCH_BYTES) this.postNow();
    else if (!this.#isPostScheduled) {
      this.#isPostScheduled = true;
      setImmediate(() => this.postNow());
    }
  }
}
