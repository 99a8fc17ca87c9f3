/**
 * The OpenTelemetry metrics {@link instrumentScheduler} emits, by name. The Prometheus exporter
 * (`serveMetrics`) writes dots as underscores and ends a counter in `_total`, e.g.
 * `xeno_scheduler.tasks.finished` → `xeno_scheduler_tasks_finished_total`; the unit goes in the
 * `# UNIT` line, not the name. Durations are in seconds.
 */
export const MetricNames = {
  /** Counter `{task}`: tasks that reached a final state, by `task.status`. */
  tasksFinished: 'xeno_scheduler.tasks.finished',
  /** Counter `{attempt}`: attempts that failed and were retried. */
  taskRetries: 'xeno_scheduler.task.retries',
  /** Histogram, seconds: how long a ready task waited for a worker, its turn or its resources. */
  waitDuration: 'xeno_scheduler.task.wait.duration',
  /** Histogram, seconds: how long an attempt ran, by its `task.status`. */
  runDuration: 'xeno_scheduler.task.run.duration',
  /** Gauge `{task}`: ready tasks waiting in the policy's queue. */
  queueLength: 'xeno_scheduler.queue.length',
  /** Gauge `{task}`: tasks running now. */
  tasksRunning: 'xeno_scheduler.tasks.running',
  /** Gauge `{task}`: tasks pending now, for any reason (dependencies, queue, resources, backoff, pause). */
  tasksPending: 'xeno_scheduler.tasks.pending',
  /** Gauge `{worker}`: the scheduler's `maxWorkers`. */
  workersMax: 'xeno_scheduler.workers.max',
  /** Gauge: a resource pool's capacity, by `resource.pool`. */
  poolCapacity: 'xeno_scheduler.pool.capacity',
  /** Gauge: what running tasks hold of a pool, by `resource.pool`. */
  poolUsed: 'xeno_scheduler.pool.used',
  /** Gauge: what is held back of a pool for waiting higher-ranked tasks, by `resource.pool`. */
  poolReserved: 'xeno_scheduler.pool.reserved',
} as const;

/** The name of one metric of {@link MetricNames}. */
export type MetricName = (typeof MetricNames)[keyof typeof MetricNames];
