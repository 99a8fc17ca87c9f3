import type { TaskPriority } from './types.js';

// The types a scheduling policy deals in; src/types.ts re-exports them.

/** Options of the built-in policies (the `priority_scheduler.*` settings, in camelCase). */
export interface PolicyOptions {
  /** Priority levels a waiting task gains per `agingIntervalMs` (the seed's `priority_boost`). 0: no aging. @default 0 */
  priorityBoost?: number;
  /** The aging interval in ms. @default 60000 */
  agingIntervalMs?: number;
  /** Lets lower-ranked tasks use reserved resources when they end in time. @default false */
  backfill?: boolean;
  /** Group weights of the `fair-share` policy. @default {} (every group weighs 1) */
  groupWeights?: Readonly<Record<string, number>>;
}

/** Built-in policy names. */
export type PolicyName = 'priority' | 'fifo' | 'shortest-first' | 'critical-path' | 'fair-share';

/** What a policy sees of a ready task. */
export interface QueuedTask {
  readonly id: string;
  readonly priority: TaskPriority;
  /** Submission order, unique and increasing. */
  readonly seq: number;
  /** When the task became ready (clock ms). */
  readonly readyAt: number;
  readonly estimateMs: number | undefined;
  readonly group: string;
  readonly resources: Readonly<Record<string, number>>;
}

/** The queue of ready tasks a policy keeps, in the order it wants them dispatched. */
export interface ReadyQueue {
  readonly size: number;
  push(task: QueuedTask): void;
  /** Removes a task; false if it was not queued. */
  remove(id: string): boolean;
  /** Re-orders a task after its priority changed; false if it was not queued. */
  update(task: QueuedTask): boolean;
  /** The next task to dispatch without removing it. */
  peek(): QueuedTask | undefined;
  /** Removes and returns the next task. */
  pop(): QueuedTask | undefined;
  /** Up to `limit` tasks in dispatch order, without removing them. */
  ordered(limit: number): QueuedTask[];
  /**
   * True while the policy keeps the free workers idle on purpose, expecting a running task's end
   * to open better work (the critical-path lookahead's inserted idle time): the scheduler then
   * starts nothing until the next start, end or queue change. Ignored while nothing runs, so a
   * run cannot stall on it. @default false
   */
  readonly isHolding?: boolean;
}

/** What a policy is told about the scheduler when it builds its queue. */
export interface PolicyContext {
  now(): number;
  /** The dependency graph's successors of a task (ids). */
  dependentsOf(id: string): readonly string[];
  /** Estimated duration of a task in ms (undefined when unknown). */
  estimateOf(id: string): number | undefined;
  /** What a scheduled task asks of each pool (undefined for an unknown id), ready or not yet. */
  resourcesOf?(id: string): Readonly<Record<string, number>> | undefined;
  /** The scheduler's worker slots, for policies that plan ahead. @default unknown */
  readonly maxWorkers?: number;
  /** The scheduler's pool capacities, for policies that plan ahead. @default unknown */
  readonly capacity?: Readonly<Record<string, number>>;
}

/** A scheduling policy: decides which ready task runs next. */
export interface SchedulingPolicy {
  readonly name: string;
  createQueue(context: PolicyContext): ReadyQueue;
  /** Called when a task from the queue starts running (fair-share accounting). */
  onStart?(task: QueuedTask): void;
  /** Called when a task that was running leaves `running`. */
  onFinish?(task: QueuedTask): void;
  /**
   * With backfill, a lower-ranked task may use resources reserved for a blocked higher-ranked task
   * only if its estimate ends before the blocked task could start. @default false
   */
  readonly backfill?: boolean;
}
