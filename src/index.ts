// The public API of xeno-scheduler, listed by name.

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
  ResourceUsage,
  RetryOptions,
  SchedulerClock,
  SchedulerOptions,
  SchedulerStats,
  SchedulingPolicy,
  TaskContext,
  TaskExplanation,
  TaskPriorityInput,
  TaskPriorityName,
  TaskRecord,
  TaskRun,
  TaskSpec,
} from './types.js';
export {
  SchedulerError,
  TaskSchedulingError,
  ResourceAllocationError,
  DependencyError,
  TaskTimeoutError,
  TaskCancelledError,
  ConfigurationError,
  formatConfigIssue,
} from './errors.js';
export type { ConfigIssue, SchedulerErrorCode } from './errors.js';

// Machines (pure logic, for inspection, visualisation and model-based tests)
export { taskMachine, retryDelayMs } from '../machines/taskMachine.js';
export type { TaskMachineContext, TaskMachineEvent, TaskMachineInput } from '../machines/taskMachine.js';
export { resourcePoolLogic } from '../machines/resourcePoolLogic.js';
export { dependencyGraphLogic } from '../machines/dependencyGraphLogic.js';
export { priorityHeapLogic } from '../machines/priorityHeapLogic.js';

// Configuration and workloads
export { parseConfig } from './config/parseConfig.js';
export { loadConfig } from './config/loadConfig.js';
export { configSchema } from './config/configSchema.js';
export type { XenoConfig, XenoConfigInput } from './config/configSchema.js';
export { configJsonSchema } from './config/configJsonSchema.js';
export { toSchedulerOptions } from './config/toSchedulerOptions.js';
export { parseWorkload } from './config/parseWorkload.js';
export { loadWorkload } from './config/loadWorkload.js';
export type { Workload, WorkloadTask, TaskRunDescriptor, TaskDuration } from './config/workloadTypes.js';

// Executors
export { createWorkerPool } from './executors/createWorkerPool.js';
export type { WorkerPool, WorkerPoolOptions, WorkerPoolStats } from './executors/createWorkerPool.js';
export { commandTask } from './executors/commandTask.js';
export type { CommandTaskOptions, CommandResult } from './executors/commandTask.js';
export { CommandFailedError } from './executors/CommandFailedError.js';
export { moduleTask } from './executors/moduleTask.js';
export { toTaskRun } from './executors/runDescriptor.js';
export type { RunDescriptor } from './executors/runDescriptor.js';

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

// Simulation and invariants
export { simulate } from './simulate/simulate.js';
export type { SimulateOptions, SimulationResult } from './simulate/simulate.js';
export { compareSimulations } from './simulate/compareSimulations.js';
export { generateDagWorkload } from './simulate/generateDagWorkload.js';
export { loadStgWorkload } from './simulate/loadStgWorkload.js';
export { recordTrace } from './simulate/recordTrace.js';
export { traceToSvg } from './simulate/traceToSvg.js';
export { replayOf } from './simulate/replayOf.js';
export type { ReplayableReport, ReplayWorkload } from './simulate/replayOf.js';
export { withSetting } from './simulate/withSetting.js';
export {
  checkInvariants,
  assertInvariants,
  checkWorkers,
  checkResources,
  checkDependencies,
  checkTransitions,
  checkCompletion,
  checkNodes,
} from './simulate/invariants.js';
export { checkPriorityOrder, checkDispatchOrder } from './simulate/checkDispatchOrder.js';
export { checkStarvation } from './simulate/checkStarvation.js';
export { InvariantViolationError } from './simulate/InvariantViolationError.js';
export type { Trace, TraceEvent, SimulationMetrics, NodeSpec, LoadBalancing } from './simulate/types.js';

// Watching: dashboard and machine export
export { startDashboard } from './dashboard/startDashboard.js';
export type { Dashboard } from './dashboard/startDashboard.js';
export type { DashboardOptions } from './dashboard/resolveDashboardOptions.js';
export { DashboardOptionsError } from './dashboard/DashboardOptionsError.js';
export { machinesToJson } from './inspection/machinesToJson.js';
export type { MachineJson, StatechartJson, ActorLogicJson } from './inspection/machinesToJson.js';
export { exportMachines } from './inspection/exportMachines.js';
