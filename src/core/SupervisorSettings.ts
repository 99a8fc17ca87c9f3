import type { Emitter } from 'mitt';
import type { SchedulerEvents } from '../events.js';
import type { Executor } from './Executor.js';
import type { Journal } from './Journal.js';
import type { TaskCache } from '../history/TaskCache.js';
import type { SchedulerClock, SchedulingPolicy, TaskSpec } from '../types.js';
import type { UsageLearner } from '../usageTypes.js';

/** Settings the supervisor needs, already checked and defaulted. */
export interface SupervisorSettings {
  readonly maxWorkers: number;
  readonly resources: Readonly<Record<string, number>>;
  readonly maxDependencyDepth: number;
  /** Most children one task may have. */
  readonly maxChildren: number;
  readonly dependencyTimeoutMs: number;
  readonly autoStart: boolean;
  readonly maxFinishedRecords: number;
  readonly liveActorLimit: number;
  /** `speculate`: back up a straggling idempotent attempt after this multiple of its bound; undefined: never. */
  readonly speculate: number | undefined;
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
  /**
   * Schedules `specs` as children of attempt `attempt` of task `parent` (`ctx.spawn`, or children
   * a remote attempt sent back): the facade normalizes and checks them as any batch, and throws
   * and schedules nothing when they are refused.
   */
  readonly spawnChildren: (parent: string, attempt: number, specs: readonly TaskSpec<any>[]) => string[];
}
