import { metrics, trace } from '@opentelemetry/api';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { Scheduler } from '../core/scheduler.js';
import { createRecorders } from './createRecorders.js';
import { listenToTasks } from './listenToTasks.js';
import { resolveInstrumentOptions } from './resolveInstrumentOptions.js';

export { INSTRUMENTATION_SCOPE } from './INSTRUMENTATION_SCOPE.js';

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
const OPTIONS = ['tracerProvider', 'meterProvider', 'traces', 'metrics', 'policy', 'node', 'now', 'linkLimit', 'waitSpans'];

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
  const resolved = resolveInstrumentOptions(ORIGIN, scheduler, options, OPTIONS);
  const recorders = createRecorders(resolved, options.tracerProvider ?? trace.getTracerProvider(), options.meterProvider ?? metrics.getMeterProvider(), () => scheduler.getStats());
  const unlisten = listenToTasks(scheduler, recorders, resolved.now);
  return {
    stop() {
      unlisten();
      for (const recorder of recorders) recorder.stop?.();
    },
  };
}
