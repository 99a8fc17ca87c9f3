// The core entry of xeno-scheduler (`xeno-scheduler`), listed by name: the scheduler, its types
// and errors, the machines and the built-in policies. Heavier parts have their own entries and
// are never loaded from here (test/coreEntry.test.ts and `npm run lint` check it):
//   xeno-scheduler/config    YAML configuration and workloads (zod, yaml)
//   xeno-scheduler/workers   worker threads (piscina), shell commands, task modules
//   xeno-scheduler/simulate  simulation, traces and invariant checks
//   xeno-scheduler/dashboard the live dashboard server (ws)
//   xeno-scheduler/stores/sqlite the durable task store and the history (better-sqlite3 or node:sqlite)

// Core
export { createScheduler, DEFAULT_RESOURCES, DEFAULT_RETRY } from './core/createScheduler.js';
export type { Scheduler } from './core/scheduler.js';
export type { SchedulerEvents } from './events.js';
export { TaskStatus, TaskPriority } from './types.js';
export type {
  PendingReason,
  PolicyContext,
  PolicyName,
  PolicyOptions,
  QueuedTask,
  ReadyQueue,
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
  NodeStatus,
  AttemptUsage,
  EstimateSource,
  LearnedEstimate,
  MeasuredUsage,
  Recommendation,
  TaskIdentity,
  UsageLearner,
} from './types.js';
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
  DependencyTimeoutError,
  SchedulerStoppedError,
  AttemptInterruptedError,
  TaskStoreError,
  HistoryError,
  MemoryLimitError,
  TaskNotRecoverableError,
  formatConfigIssue,
} from './errors.js';

// Seams: where attempts run and where tasks are recorded (the durable SQLite store is
// xeno-scheduler/stores/sqlite)
export { inlineExecutor } from './executors/inlineExecutor.js';
export type { SchedulerOptions } from './core/SchedulerOptions.js';
export type { Executor, Attempt, AttemptOutcome, OutcomeSink } from './core/Executor.js';
export { memoryTaskStore, foldTransition, initialTaskState } from './stores/memoryTaskStore.js';
export type { UsageHistory, UsageHistoryRow } from './history/RunHistory.js';
export type { RunHistory, ResultCache, CacheEntry, CachePut, CachedOutput, CacheEntrySummary, PruneOptions, PruneResult } from './history/RunHistory.js';
export type { TaskStore, StoredTask, StoredTaskState, StoredError, TaskTransition } from './core/TaskStore.js';
export type { SchedulerActorRef, SchedulerSnapshot } from './core/Supervisor.js';
export type { ConfigIssue, SchedulerErrorCode } from './errors.js';

// Learned estimates: what past runs measured, as decaying statistics (docs/learned-estimates.md)
export { LearnedEstimates, DEFAULT_ESTIMATE_MS, DEFAULT_AUTO_REQUESTS, MEMORY_UNIT_BYTES, RECOMMENDATION_MARGIN } from './estimates/LearnedEstimates.js';
export type { LearnedEstimatesOptions, TaskUsageSummary, UsageRow } from './estimates/LearnedEstimates.js';
export { learnedFromHistory } from './estimates/learnedFromHistory.js';
export { UsageStats, USAGE_HALF_LIFE_MS } from './estimates/UsageStats.js';
export type { Percentiles } from './estimates/UsageStats.js';

// Machines (pure logic, for inspection, visualisation and model-based tests)
export { taskMachine, retryDelayMs } from '../machines/taskMachine.js';
export type { TaskMachineContext, TaskMachineEvent, TaskMachineInput } from '../machines/taskMachine.js';
export { resourcePoolLogic } from '../machines/resourcePoolLogic.js';
export { dependencyGraphLogic } from '../machines/dependencyGraphLogic.js';
export { priorityHeapLogic } from '../machines/priorityHeapLogic.js';

// Policies
export { resolvePolicy, POLICY_NAMES } from './policies/resolvePolicy.js';
export { priorityPolicy } from './policies/priorityPolicy.js';
export { fifoPolicy } from './policies/fifoPolicy.js';
export { shortestFirstPolicy } from './policies/shortestFirstPolicy.js';
export { criticalPathPolicy } from './policies/criticalPathPolicy.js';
export type { CriticalPathPolicyOptions, SchedulerSetting } from './policies/criticalPathPolicy.js';
export { fairSharePolicy } from './policies/fairSharePolicy.js';
export { heapQueue } from './policies/heapQueue.js';
export { comparePriority } from './policies/comparePriority.js';
export { agingRatePerMs } from './policies/agingRatePerMs.js';

// Machine export (for visualisation; the live dashboard is xeno-scheduler/dashboard)
export { machinesToJson } from './inspection/machinesToJson.js';
export type { MachineJson, StatechartJson, ActorLogicJson } from './inspection/machinesToJson.js';
export { exportMachines } from './inspection/exportMachines.js';
