// xeno-scheduler/workers: work that runs outside the scheduler's thread (worker threads through
// piscina, shell commands, task modules), listed by name. Its own entry so that the core entry
// never loads piscina or child_process.

export { createWorkerPool } from './createWorkerPool.js';
export type { WorkerPool, WorkerPoolOptions, WorkerPoolStats } from './createWorkerPool.js';
export type { WorkerTaskInput } from './workerEntry.js';
export { commandTask } from './commandTask.js';
export type { CommandTaskOptions, CommandResult } from './commandTask.js';
export { createProcessGroupMonitor } from './createProcessGroupMonitor.js';
export type { ProcessGroupMonitor, GroupWatch, GroupUsage, WatchOptions } from './createProcessGroupMonitor.js';
export { CommandFailedError } from './CommandFailedError.js';
export { moduleTask } from './moduleTask.js';
export { toTaskRun } from './runDescriptor.js';
export type { RunDescriptor } from './runDescriptor.js';
export { ModuleFailedError } from './ModuleFailedError.js';

// The executor seam: the inline executor (the scheduler's default) and what one of your own implements.
export { inlineExecutor } from '../executors/inlineExecutor.js';
export type { Executor, Attempt, AttemptOutcome, OutcomeSink } from '../core/Executor.js';
