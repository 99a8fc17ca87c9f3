// The core entry of xeno-scheduler (`xeno-scheduler`): what an app uses to schedule, watch and
// handle errors, listed by name. Building blocks and heavier parts have their own entries, and
// this one never loads them (test/coreEntry.test.ts and `npm run lint` check it):
//   xeno-scheduler/policies      the built-in policies and the parts of a custom one
//   xeno-scheduler/stores        the in-memory task store and the tools of a custom one
//   xeno-scheduler/stores/sqlite the durable task store (node:sqlite or better-sqlite3)
//   xeno-scheduler/workers       worker threads (piscina), shell commands, task modules, executors
//   xeno-scheduler/distributed   the coordinator and workers on BullMQ and Redis
//   xeno-scheduler/inspection    the machines, as logic and as JSON, for inspection and model tests
//   xeno-scheduler/config        YAML configuration and workloads (zod, yaml)
//   xeno-scheduler/simulate      simulation, traces and invariant checks
//   xeno-scheduler/dashboard     the live dashboard server (ws)
//   xeno-scheduler/monitoring    OpenTelemetry spans and metrics, the Prometheus endpoint
//   xeno-scheduler/estimates     learned estimates: what past runs measured, and the seam of a learner of your own

// The scheduler
export { createScheduler } from './core/createScheduler.js';
export type { Scheduler } from './core/scheduler.js';
export type { SchedulerOptions } from './core/SchedulerOptions.js';
export type { SchedulerEvents } from './events.js';
export { TaskStatus, TaskPriority } from './types.js';
export type {
  PendingReason,
  PolicyName,
  RecoveredRun,
  ResourceUsage,
  RetryOptions,
  SchedulerClock,
  SchedulerStats,
  SchedulingPolicy,
  TaskContext,
  TaskExplanation,
  TaskHandler,
  TaskPriorityInput,
  TaskPriorityName,
  TaskRecord,
  TaskRun,
  TaskSpec,
  AttemptUsage,
} from './types.js';
// EstimateSource (TaskRecord['estimateSource']) is exported from xeno-scheduler/estimates.

// Seams an option takes (implementations: xeno-scheduler/workers, xeno-scheduler/stores)
export type { Executor } from './core/Executor.js';
export type { TaskStore } from './core/TaskStore.js';

// Errors: every one a scheduler call or a task's record can carry
export {
  SchedulerError,
  TaskSchedulingError,
  ResourceAllocationError,
  DependencyError,
  TaskTimeoutError,
  TaskCancelledError,
  ConfigurationError,
  InvalidOptionsError,
  PolicyError,
  InvalidDependencyError,
  UpstreamFailedError,
  RaceLostError,
  DependencyTimeoutError,
  SchedulerStoppedError,
  AttemptInterruptedError,
  TaskStoreError,
  MemoryLimitError,
  TaskNotRecoverableError,
} from './errors.js';
export { MissingPackageError } from './optionalPackages/MissingPackageError.js';
export type { SchedulerErrorCode } from './errors.js';
