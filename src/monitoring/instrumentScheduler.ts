import { context, metrics, trace } from '@opentelemetry/api';
import type { Attributes, MeterProvider, TracerProvider } from '@opentelemetry/api';
import { describeValue } from '../internal/describeValue.js';
import type { Scheduler } from '../scheduler.js';
import type { SchedulerEvents } from '../events.js';
import { AttributeNames } from './AttributeNames.js';
import { createMetricRecorder } from './createMetricRecorder.js';
import { createSpanRecorder } from './createSpanRecorder.js';
import { MonitoringOptionsError } from './MonitoringOptionsError.js';
import type { TaskEventRecorder } from './TaskEventRecorder.js';

/** The instrumentation scope of every tracer and meter xeno-scheduler asks for. */
export const INSTRUMENTATION_SCOPE = 'xeno-scheduler';

/** Options of {@link instrumentScheduler}. */
export interface InstrumentOptions {
  /** Where spans go. @default the global provider (`trace.getTracerProvider()`), a no-op until the app registers one */
  readonly tracerProvider?: TracerProvider;
  /** Where metrics go. @default the global provider (`metrics.getMeterProvider()`), a no-op until the app registers one */
  readonly meterProvider?: MeterProvider;
  /** Emit spans. @default true */
  readonly traces?: boolean;
  /** Emit metrics. @default true */
  readonly metrics?: boolean;
  /** The scheduler's policy name, attribute `scheduler.policy` on every span and metric. @default none */
  readonly policy?: string;
  /** The node this scheduler (or its worker) runs on, attribute `scheduler.node`. @default none */
  readonly node?: string;
  /**
   * The scheduler's clock in ms, for the moments task records do not carry (an attempt that fails
   * and is retried). Pass the clock given to `createScheduler` when it is not the real one.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Finished tasks that no scheduled task waits for whose last span is still kept, so that a
   * dependent scheduled after its dependency finished can link to it. A dependent scheduled
   * before is always linked, whatever this limit. @default 10000
   */
  readonly linkLimit?: number;
  /**
   * Emit each wait as a span `wait <type>` of its own, besides the `wait` event that starts every
   * run span. A task that ends without running always gets one. @default false
   */
  readonly waitSpans?: boolean;
}

/** What {@link instrumentScheduler} returns. */
export interface SchedulerInstrumentation {
  /** Removes the listeners and the metric callbacks; spans of attempts still running are not ended. */
  stop(): void;
}

const ORIGIN = 'instrumentScheduler';

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || (typeof value === 'string' && value !== '')) return value;
  throw new MonitoringOptionsError(ORIGIN, field, 'a non-empty string', describeValue(value));
}

/**
 * Feeds OpenTelemetry traces and metrics from a scheduler's public events and `getStats()`: a
 * span per attempt (and per wait), linked to the dependencies' spans; counters, histograms and
 * gauges as listed in {@link MetricNames}. It depends on `@opentelemetry/api` only: the app
 * registers an SDK (or passes providers), and without one every call is a no-op. A scheduler that
 * is not instrumented pays nothing.
 *
 * @example
 * import { instrumentScheduler } from 'xeno-scheduler/monitoring';
 * const scheduler = createScheduler({ policy: 'critical-path' });
 * const instrumentation = instrumentScheduler(scheduler, { policy: 'critical-path' });
 * // … run …
 * instrumentation.stop();
 */
export function instrumentScheduler(scheduler: Scheduler, options: InstrumentOptions = {}): SchedulerInstrumentation {
  if (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.events?.on !== 'function' || typeof scheduler.getStats !== 'function') {
    throw new MonitoringOptionsError(ORIGIN, 'scheduler', 'a Scheduler from createScheduler', describeValue(scheduler));
  }
  const linkLimit = options.linkLimit ?? 10_000;
  if (!Number.isSafeInteger(linkLimit) || linkLimit < 0) throw new MonitoringOptionsError(ORIGIN, 'linkLimit', 'a whole number >= 0', describeValue(linkLimit));
  if (options.now !== undefined && typeof options.now !== 'function') throw new MonitoringOptionsError(ORIGIN, 'now', 'a function returning ms', describeValue(options.now));
  const policy = optionalString(options.policy, 'policy');
  const node = optionalString(options.node, 'node');
  // A plain object filled key by key and frozen: it is shared by every point and span.
  const common: Attributes = {};
  if (policy !== undefined) common[AttributeNames.policy] = policy;
  if (node !== undefined) common[AttributeNames.node] = node;
  Object.freeze(common);
  const now = options.now ?? Date.now;
  const recorders: TaskEventRecorder[] = [];
  if (options.traces !== false) {
    const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
    recorders.push(createSpanRecorder(tracer, { common, now, linkLimit, waitSpans: options.waitSpans === true }));
  }
  if (options.metrics !== false) {
    const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
    recorders.push(createMetricRecorder(() => scheduler.getStats(), meter, common, now));
  }
  return listen(scheduler, recorders, now);
}

/** One listener per event hands it to every recorder, so each event's record is built once. */
function listen(scheduler: Scheduler, recorders: readonly TaskEventRecorder[], now: () => number): SchedulerInstrumentation {
  const onScheduled = recorders.filter((recorder) => recorder.scheduled !== undefined);
  const handlers: { [K in keyof SchedulerEvents]?: (event: SchedulerEvents[K]) => void } = {
    'task:started': ({ task, attempt }) => {
      for (const recorder of recorders) recorder.started(task, attempt);
    },
    'task:retrying': ({ task, error }) => {
      const at = now();
      for (const recorder of recorders) recorder.retrying?.(task, error, at);
    },
    'task:completed': ({ task }) => {
      for (const recorder of recorders) recorder.ended(task, 'completed', {});
    },
    'task:failed': ({ task, error }) => {
      for (const recorder of recorders) recorder.ended(task, 'failed', { error });
    },
    'task:cancelled': ({ task, reason }) => {
      for (const recorder of recorders) recorder.ended(task, 'cancelled', { reason });
    },
  };
  // Without a recorder that wants it, no listener: the scheduler then skips building the record.
  if (onScheduled.length > 0) {
    handlers['task:scheduled'] = ({ task }) => {
      // The caller's context, kept only where a span is active in it (most tasks have none).
      const active = context.active();
      const parent = trace.getSpan(active) === undefined ? undefined : active;
      for (const recorder of onScheduled) recorder.scheduled?.(task, parent);
    };
  }
  const entries = Object.entries(handlers) as [keyof SchedulerEvents, (event: unknown) => void][];
  if (recorders.length > 0) for (const [type, handler] of entries) scheduler.events.on(type, handler);
  return {
    stop() {
      if (recorders.length > 0) for (const [type, handler] of entries) scheduler.events.off(type, handler);
      for (const recorder of recorders) recorder.stop?.();
    },
  };
}
