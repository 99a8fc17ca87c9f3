import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { SchedulerStats } from '../types.js';
import { createMetricRecorder } from './createMetricRecorder.js';
import { createSpanRecorder } from './createSpanRecorder.js';
import { INSTRUMENTATION_SCOPE } from './INSTRUMENTATION_SCOPE.js';
import type { ResolvedInstrumentOptions } from './resolveInstrumentOptions.js';
import type { TaskEventRecorder } from './TaskEventRecorder.js';

/**
 * The span and metric recorders `options` asks for, on these providers: what
 * {@link instrumentScheduler} feeds in the scheduler's thread. `readStats` gives the scheduler's
 * stats when a metric reader collects.
 *
 * @example
 * const recorders = createRecorders(resolved, trace.getTracerProvider(), metrics.getMeterProvider(), () => scheduler.getStats());
 */
export function createRecorders(options: ResolvedInstrumentOptions, tracerProvider: TracerProvider, meterProvider: MeterProvider, readStats: () => SchedulerStats): TaskEventRecorder[] {
  const { common, now, linkLimit, waitSpans } = options;
  const recorders: TaskEventRecorder[] = [];
  if (options.traces) recorders.push(createSpanRecorder(tracerProvider.getTracer(INSTRUMENTATION_SCOPE), { common, now, linkLimit, waitSpans }));
  if (options.metrics) recorders.push(createMetricRecorder(readStats, meterProvider.getMeter(INSTRUMENTATION_SCOPE), common, now));
  return recorders;
}
