/** The attribute keys on xeno-scheduler's spans and metrics. */
export const AttributeNames = {
  /** Spans: the task's id. */
  taskId: 'task.id',
  /** Spans: the task's name. */
  taskName: 'task.name',
  /** Spans and metrics: the task's type (what selects its handler). */
  taskType: 'task.type',
  /** Spans and the wait histogram: the task's priority level, 1 (lowest) to 5 (highest). */
  taskPriority: 'task.priority',
  /** Spans: which run this is, from 1. */
  taskAttempt: 'task.attempt',
  /**
   * Spans, the run histogram and the finished counter: how the attempt or task ended:
   * `completed`, `failed`, `cancelled`, or `retrying` (the attempt failed and another follows).
   */
  taskStatus: 'task.status',
  /** Spans: why a task was cancelled. */
  cancelReason: 'task.cancel_reason',
  /** Spans and metrics: the scheduling policy, when given to {@link instrumentScheduler}. */
  policy: 'scheduler.policy',
  /** Spans and metrics: the node that ran the work, in a distributed run. */
  node: 'scheduler.node',
  /** Pool gauges: the resource pool's name. */
  pool: 'resource.pool',
} as const;
