import { metrics, trace } from '@opentelemetry/api';
import type { Scheduler } from '../core/scheduler.js';
import { createRecorders } from './createRecorders.js';
import { listenToTasks } from './listenToTasks.js';
import { resolveInstrumentOptions, type InstrumentOptions } from './resolveInstrumentOptions.js';

export { INSTRUMENTATION_SCOPE } from './INSTRUMENTATION_SCOPE.js';
export type { InstrumentOptions } from './resolveInstrumentOptions.js';

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
