import type { Emitter } from 'mitt';
import type { SchedulerEvents } from '../events.js';
import type { Executor } from './Executor.js';
import type { Journal } from './Journal.js';
import type { TaskCache } from '../history/TaskCache.js';
import type { SchedulerClock, SchedulingPolicy } from '../types.js';
import type { UsageLearner } from '../usageTypes.js';

/** Settings the supervisor needs, already checked and defaulted. */
export interface SupervisorSettings {
  readonly maxWorkers: number;
  readonly resources: Readonly<Record<string, number>>;
  readonly maxDependencyDepth: number;
  readonly dependencyTimeoutMs: number;
  readonly autoStart: boolean;
  readonly maxFinishedRecords: number;
  readonly liveActorLimit: number;
  readonly policy: SchedulingPolicy;
  readonly clock: SchedulerClock;
  readonly events: Emitter<SchedulerEvents>;
  readonly executor: Executor;
  /** The run's journal over the store (a TaskStore), when the scheduler has one. */
  readonly journal: Journal | undefined;
  /** What past runs learned, told every attempt's usage; undefined: nothing is learned. */
  readonly estimates: UsageLearner | undefined;
  /** The result cache over the scheduler's history, when it has one. */
  readonly cache: TaskCache | undefined;
}
