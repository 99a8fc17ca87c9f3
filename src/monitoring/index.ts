// The public API of xeno-scheduler/monitoring, listed by name. The core entry never loads it.
// This entry depends on @opentelemetry/api only; serveMetrics loads the OpenTelemetry SDK and
// its Prometheus exporter when it is called.

export { instrumentScheduler, INSTRUMENTATION_SCOPE } from './instrumentScheduler.js';
export type { InstrumentOptions, SchedulerInstrumentation } from './instrumentScheduler.js';
export { MetricNames } from './MetricNames.js';
export type { MetricName } from './MetricNames.js';
export { AttributeNames } from './AttributeNames.js';
export { MonitoringOptionsError } from './MonitoringOptionsError.js';
export { serveMetrics } from './serveMetrics.js';
export type { ServeMetricsOptions, MetricsEndpoint } from './serveMetrics.js';
