import { trace, type Context } from '@opentelemetry/api';
import { BinaryWriter } from '../internal/BinaryWriter.js';
import type { SchedulerStats, TaskRecord } from '../types.js';
import type { FinalStatus, TaskEventRecorder } from './TaskEventRecorder.js';
import { EventKind, type ToTelemetry } from './TelemetryMessages.js';

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
  #events = 0;
  #isPostScheduled = false;
  /** Events posted so far. */
  posted = 0;

  constructor(post: (message: ToTelemetry, transfer: ArrayBuffer[]) => void, readStats: () => SchedulerStats) {
    this.#post = post;
    this.#readStats = readStats;
  }

  scheduled(task: TaskRecord, parent: Context | undefined): void {
    const spanContext = parent === undefined ? undefined : trace.getSpanContext(parent);
    if (task.dependencies.length === 0 && spanContext === undefined) return;
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
    this.#added();
  }

  started(task: TaskRecord, attempt: number): void {
    const w = this.#writer;
    w.u8(EventKind.STARTED);
    this.#task(task);
    w.f64(task.startedAt ?? Number.NaN);
    w.f64(attempt);
    this.#added();
  }

  retrying(task: TaskRecord, error: Error, at: number): void {
    const w = this.#writer;
    w.u8(EventKind.RETRYING);
    w.string(task.id);
    w.f64(at);
    w.optionalString(task.node);
    this.#error(error);
    this.#added();
  }

  ended(task: TaskRecord, status: FinalStatus, detail: { readonly error?: Error; readonly reason?: string }): void {
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
      else w.string(detail.reason ?? 'cancelled');
    }
    this.#added();
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

  #error(error: Error): void {
    const w = this.#writer;
    const code = (error as { code?: unknown }).code;
    w.string(error.name);
    w.string(error.message);
    w.optionalString(error.stack);
    w.optionalString(typeof code === 'string' || typeof code === 'number' ? String(code) : undefined);
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
