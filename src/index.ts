// The core entry of xeno-scheduler (`xeno-scheduler`), listed by name: the scheduler, its types
// and errors, the machines and the built-in policies. Heavier parts have their own entries and
// are never loaded from here (test/coreEntry.test.ts and `npm run lint` check it):
//   xeno-scheduler/config    YAML configuration and workloads (zod, yaml)
//   xeno-scheduler/workers   worker threads (piscina), shell commands, task modules
//   xeno-scheduler/simulate  simulation, traces and invariant checks
//   xeno-scheduler/dashboard the live dashboard server (ws)
//   xeno-scheduler/stores/sqlite the durable task store (better-sqlite3 or node:sqlite)

// Core
export { createScheduler, DEFAULT_RESOURCES, DEFAULT_RETRY } from './createScheduler.js';
export type { Scheduler } from './scheduler.js';
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
  SchedulerOptions,
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
  RaceLostError,
  DependencyTimeoutError,
  SchedulerStoppedError,
  AttemptInterruptedError,
  TaskStoreError,
  TaskNotRecoverableError,
  formatConfigIssue,
} from './errors.js';

// Seams: where attempts run and where tasks are recorded (the durable SQLite store is
// xeno-scheduler/stores/sqlite)
export { inlineExecutor } from './executors/inlineExecutor.js';
export type { Executor, Attempt, AttemptOutcome, OutcomeSink } from './executors/Executor.js';
export { memoryTaskStore, foldTransition, initialTaskState } from './stores/memoryTaskStore.js';
export type { TaskStore, StoredTask, StoredTaskState, StoredError, TaskTransition } from './stores/TaskStore.js';
export type { SchedulerActorRef, SchedulerSnapshot } from './schedulerLogic.js';
export type { ConfigIssue, SchedulerErrorCode } from './errors.js';

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
