import type { Emitter } from 'mitt';
import type { SchedulerEvents } from '../events.js';
import type { Executor } from '../executors/Executor.js';
import type { TaskStore } from '../stores/TaskStore.js';
import type { SchedulerClock, SchedulingPolicy } from '../types.js';

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
  readonly policy: SchedulingPolicy;
  readonly clock: SchedulerClock;
  readonly events: Emitter<SchedulerEvents>;
  readonly executor: Executor;
  readonly store: TaskStore | undefined;
}
