import type { Attributes, BatchObservableCallback, Histogram, Meter } from '@opentelemetry/api';
import type { SchedulerStats, TaskRecord } from '../types.js';
import { AttributeNames } from './AttributeNames.js';
import { MetricNames } from './MetricNames.js';
import type { TaskEventRecorder } from './TaskEventRecorder.js';

/** Bucket bounds of the wait and run histograms, in seconds: 1 ms to 1 h. */
const DURATION_BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];
const FINAL_STATUSES = ['completed', 'failed', 'cancelled'] as const;
const ATTEMPT_STATUSES = [...FINAL_STATUSES, 'retrying'] as const;
type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

/** The attribute sets of one task type's points: made once, frozen, shared by every record. */
interface TypeAttributes {
  readonly byStatus: Readonly<Record<AttemptStatus, Attributes>>;
  priority(level: number): Attributes;
}

/** A frozen plain object of `common` plus `extra`, built key by key (never a slow spread with computed keys). */
function withCommon(common: Attributes, extra: Attributes): Attributes {
  const attributes: Attributes = {};
  for (const key of Object.keys(common)) attributes[key] = common[key];
  for (const key of Object.keys(extra)) attributes[key] = extra[key];
  return Object.freeze(attributes);
}

/**
 * The histograms' attribute sets by task type, each made once: tasks share a handful of types,
 * statuses and priority levels, and a record then costs one Map lookup and no allocation.
 */
function typeAttributes(common: Attributes): (type: string) => TypeAttributes {
  const byType = new Map<string, TypeAttributes>();
  return (type) => {
    let found = byType.get(type);
    if (found !== undefined) return found;
    const byStatus = {} as Record<AttemptStatus, Attributes>;
    for (const status of ATTEMPT_STATUSES) byStatus[status] = withCommon(common, { [AttributeNames.taskType]: type, [AttributeNames.taskStatus]: status });
    const byPriority: Attributes[] = [];
    found = {
      byStatus,
      priority: (level) => (byPriority[level] ??= withCommon(common, { [AttributeNames.taskType]: type, [AttributeNames.taskPriority]: level })),
    };
    byType.set(type, found);
    return found;
  };
}

/**
 * The metric half of {@link instrumentScheduler}: histograms of wait and run time and a retry
 * counter fed by task events, and gauges and the finished counter read from `readStats` (the
 * scheduler's `getStats()`) when a reader collects (no
 * work per task for those). `common` (policy, node) goes on every point.
 *
 * @example
 * const recorder = createMetricRecorder(() => scheduler.getStats(), metrics.getMeter('xeno-scheduler'), { 'scheduler.policy': 'fifo' }, Date.now);
 */
export function createMetricRecorder(readStats: () => SchedulerStats, meter: Meter, common: Attributes, now: () => number): TaskEventRecorder {
  const durationOptions = (description: string) => ({ unit: 's', description, advice: { explicitBucketBoundaries: DURATION_BUCKETS_S } });
  const wait: Histogram = meter.createHistogram(MetricNames.waitDuration, durationOptions('Time a ready task waited for a worker, its turn or its resources'));
  const run: Histogram = meter.createHistogram(MetricNames.runDuration, durationOptions('Time one attempt ran, by how it ended'));
  const retries = meter.createCounter(MetricNames.taskRetries, { unit: '{attempt}', description: 'Attempts that failed and were retried' });
  const finished = meter.createObservableCounter(MetricNames.tasksFinished, { unit: '{task}', description: 'Tasks that reached a final state, by status' });
  const queue = meter.createObservableGauge(MetricNames.queueLength, { unit: '{task}', description: "Ready tasks waiting in the policy's queue" });
  const running = meter.createObservableGauge(MetricNames.tasksRunning, { unit: '{task}', description: 'Tasks running now' });
  const pending = meter.createObservableGauge(MetricNames.tasksPending, { unit: '{task}', description: 'Tasks pending now, for any reason' });
  const workers = meter.createObservableGauge(MetricNames.workersMax, { unit: '{worker}', description: 'Most tasks running at once' });
  const capacity = meter.createObservableGauge(MetricNames.poolCapacity, { description: "A resource pool's capacity" });
  const used = meter.createObservableGauge(MetricNames.poolUsed, { description: 'What running tasks hold of a resource pool' });
  const reserved = meter.createObservableGauge(MetricNames.poolReserved, { description: 'What is held back of a resource pool for waiting higher-ranked tasks' });

  const statusAttributes = new Map(FINAL_STATUSES.map((status) => [status, withCommon(common, { [AttributeNames.taskStatus]: status })]));
  const poolAttributes = new Map<string, Attributes>();
  const observe: BatchObservableCallback = (result) => {
    const stats = readStats();
    for (const status of FINAL_STATUSES) result.observe(finished, stats[status], statusAttributes.get(status));
    result.observe(queue, stats.queued, common);
    result.observe(running, stats.running, common);
    result.observe(pending, stats.pending, common);
    result.observe(workers, stats.maxWorkers, common);
    for (const [name, usage] of Object.entries(stats.resources)) {
      let attributes = poolAttributes.get(name);
      if (attributes === undefined) poolAttributes.set(name, (attributes = withCommon(common, { [AttributeNames.pool]: name })));
      result.observe(capacity, usage.capacity, attributes);
      result.observe(used, usage.used, attributes);
      result.observe(reserved, usage.reserved, attributes);
    }
  };
  const observables = [finished, queue, running, pending, workers, capacity, used, reserved];
  meter.addBatchObservableCallback(observe, observables);

  const attributesOfType = typeAttributes(common);
  /** Start of each attempt still running, by task id. */
  const openAttempts = new Map<string, number>();
  const endAttempt = (task: TaskRecord, status: AttemptStatus, at: number): void => {
    const startedAt = openAttempts.get(task.id);
    if (startedAt === undefined) return;
    openAttempts.delete(task.id);
    run.record(Math.max(0, at - startedAt) / 1000, attributesOfType(task.type).byStatus[status]);
  };

  return {
    started(task) {
      const startedAt = task.startedAt ?? now();
      openAttempts.set(task.id, startedAt);
      const readyAt = task.readyAt ?? task.createdAt;
      wait.record(Math.max(0, startedAt - readyAt) / 1000, attributesOfType(task.type).priority(task.priority));
    },
    retrying(task, _error, at) {
      retries.add(1, common);
      endAttempt(task, 'retrying', at);
    },
    ended(task, status) {
      endAttempt(task, status, task.completedAt ?? now());
    },
    stop() {
      meter.removeBatchObservableCallback(observe, observables);
    },
  };
}
