import type { TaskDuration, WorkloadTask } from '../config/workloadTypes.js';
import type { LoadBalancing, NodeSpec } from '../distributed/DistributedOptions.js';
import type { PolicyName, PolicyOptions, TaskPriority, TaskPriorityInput, TaskStatus } from '../types.js';

/** A simulated duration in milliseconds (normal is truncated to values > 0): the loader's type. */
export type DurationDistribution = TaskDuration;

/** A duration as a workload file writes it: fixed seconds, or a distribution in seconds. */
export type DurationInSeconds =
  | number
  | { readonly distribution: 'uniform'; readonly min: number; readonly max: number }
  | { readonly distribution: 'normal'; readonly mean: number; readonly stddev: number }
  | { readonly distribution: 'exponential'; readonly mean: number };

/** One task as a workload file writes it (times in seconds), keyed by its name. */
export interface WorkloadFileTask {
  readonly priority?: TaskPriorityInput;
  /** Names of tasks that must complete first. */
  readonly dependencies?: readonly string[];
  readonly resources?: Readonly<Record<string, number>>;
  /** Estimated duration in seconds: what policies see, and the simulated duration unless `duration` is given. */
  readonly estimate?: number;
  /** Simulated duration in seconds, fixed or drawn from a distribution. */
  readonly duration?: DurationInSeconds;
  /** @default 'default' */
  readonly group?: string;
  /** Running it twice at once is harmless: `speculate` may back it up. */
  readonly idempotent?: boolean;
}

/** What the simulator reads of a task the workload loader returns (times in ms). */
export type LoadedWorkloadTask = Pick<
  WorkloadTask,
  'name' | 'priority' | 'dependencies' | 'resources' | 'estimateMs' | 'duration' | 'group' | 'idempotent' | 'race'
>;

/** One measured attempt of a task in a real run, replayed as it happened (see `replayOf`). */
export interface ReplayAttempt {
  /** How long the attempt ran, in ms. */
  readonly durationMs: number;
  /** How it ended: `completed`, or `failed` (a retry follows when attempts remain). */
  readonly outcome: 'completed' | 'failed';
}

/** A loaded task with the attempts it made in a real run, as `replayOf` returns it. */
export interface ReplayTask extends LoadedWorkloadTask {
  /** Each attempt's duration and outcome, in order; the task runs exactly these attempts. */
  readonly attempts: readonly ReplayAttempt[];
  /** The backoff between attempts, from the delays the real run waited before each retry. */
  readonly retry: { readonly backoffMs: number; readonly backoffFactor: number; readonly maxBackoffMs: number };
}

/**
 * What {@link simulate} takes: a workload file's shape (`tasks` keyed by name, seconds), the
 * workload loader's result (`tasks` as an array, milliseconds), or a replayed run (`replayOf`),
 * whose setting (`maxWorkers`, `resources`, `policy`, `policyOptions`) is the default of the run.
 */
export interface SimulationWorkload {
  readonly tasks: Readonly<Record<string, WorkloadFileTask>> | readonly (LoadedWorkloadTask | ReplayTask)[];
  /** Worker slots, when the workload says; `SimulateOptions.maxWorkers` overrides it. */
  readonly maxWorkers?: number;
  /** Pool capacities, when the workload says; `SimulateOptions.resources` overrides them. */
  readonly resources?: Readonly<Record<string, number>>;
  /** The policy, when the workload says (a replay: the real run's); `SimulateOptions.policy` overrides it. */
  readonly policy?: PolicyName;
  /** Options of a built-in policy, when the workload says; `SimulateOptions.policyOptions` overrides them. */
  readonly policyOptions?: PolicyOptions;
}

/** A task of a workload after normalisation: everything in milliseconds, defaults applied. */
export interface SimulationTask extends Omit<LoadedWorkloadTask, 'name' | 'duration' | 'group' | 'resources' | 'estimateMs' | 'race'> {
  /** The task's name in the workload. */
  readonly id: string;
  /** What it asks of each pool; an `auto` request of the workload resolved (see `normalizeWorkload`). */
  readonly resources: Readonly<Record<string, number>>;
  /** What policies see; undefined: none declared (with learned estimates, the learned one is used). */
  readonly estimateMs: number | undefined;
  readonly duration: DurationDistribution;
  /** @default 'default' */
  readonly group: string;
  /** A replayed task's measured attempts and backoff; absent for a drawn one. */
  readonly replay?: Pick<ReplayTask, 'attempts' | 'retry'>;
  /** A race's alternatives, each run for its own duration; the race itself runs nothing (its `duration` is 0). */
  readonly race?: readonly SimulationTask[];
}

/** What a trace knows of a task, from its `task:scheduled` event. */
export interface TraceTask {
  readonly id: string;
  readonly priority: TaskPriority;
  readonly group: string;
  readonly dependencies: readonly string[];
  readonly resources: Readonly<Record<string, number>>;
  /** `null` when unknown. */
  readonly estimateMs: number | null;
  /** Submission order, from 1: the order of `task:scheduled` events. */
  readonly seq: number;
}

/** One status transition of one task. */
export interface TraceEvent {
  /** Clock time in ms. */
  readonly time: number;
  readonly task: string;
  /** `null` for the first event of a task (its scheduling). */
  readonly from: TaskStatus | null;
  readonly to: TaskStatus;
  /** On `→ running`: the attempt, from 1. */
  readonly attempt?: number;
  /** On `→ running`: the worker slot, 0 to maxWorkers − 1 (the lowest free one). */
  readonly worker?: number;
  /** On `→ running`: when the task became ready (clock ms). */
  readonly readyAt?: number;
  /** On `→ cancelled`: why. On `→ failed`: the error message. */
  readonly reason?: string;
  /** On `running → pending` (a retry): the backoff before the next attempt, in ms. */
  readonly retryDelayMs?: number;
  /** On `→ running`, in a simulation with nodes: the node the attempt runs on. */
  readonly node?: string;
}

/**
 * One node of a simulated cluster: the distributed run's {@link NodeSpec}, keyed by its name, with
 * `maxWorkers` required (there are no workers to count) and a speed. Unlike a real node, which
 * does not limit a resource it does not list, a simulated node has only the `resources` it lists
 * (default none: a task that asks for a resource never fits there), so the trace's totals hold.
 */
export interface SimulatedNode extends Omit<NodeSpec, 'name' | 'maxWorkers'> {
  /** Worker slots of the node; an integer ≥ 1. */
  readonly maxWorkers: number;
  /**
   * How fast the node runs work relative to the durations of the workload: a task of duration
   * `d` takes `d / speed` there. @default 1
   */
  readonly speed?: number;
}

/**
 * How a ready task picks its node: the distributed run's {@link LoadBalancing} modes, among the
 * nodes with a free worker and room for the task, as there: `round_robin` (the next node in
 * turn), `least_loaded` (the fewest running tasks per worker slot), `resource_aware` (the node
 * whose free resources fit the task most tightly, so large requests keep finding room); and
 * `earliest_finish` (HEFT: the node where the task would finish first, counting speed and when a
 * busy node frees up; the task may wait for it), which only the simulator has.
 */
export type SimulatedLoadBalancing = LoadBalancing | 'earliest_finish';

/** A run of a scheduler as data: the setting, the tasks, and every transition in order. */
export interface Trace {
  readonly policy: string;
  /** All worker slots (with nodes: over every node). */
  readonly maxWorkers: number;
  /** Capacity of each resource pool. */
  readonly resources: Readonly<Record<string, number>>;
  readonly tasks: readonly TraceTask[];
  readonly events: readonly TraceEvent[];
  /** The cluster of a simulation with nodes; `checkNodes` checks each node's limits. */
  readonly nodes?: Readonly<Record<string, SimulatedNode>>;
  /** How tasks were placed on nodes, in a simulation with nodes. */
  readonly loadBalancing?: SimulatedLoadBalancing;
}

/** Count, mean, 95th percentile (nearest rank) and maximum of a set of waits, in ms. */
export interface WaitStats {
  readonly count: number;
  readonly meanMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

/**
 * The lower bound of a makespan: no schedule on this setting can be shorter. All terms use the
 * durations the tasks actually ran.
 */
export interface MakespanLowerBound {
  /** The longest chain of durations through the dependency graph. */
  readonly criticalPathMs: number;
  /** Total work divided by the capacity `maxWorkers`. */
  readonly workPerWorkerMs: number;
  /** For each resource, Σ amount × duration ÷ capacity: the resource-aware bound. */
  readonly resourceMs: Readonly<Record<string, number>>;
  /** The largest of the above. */
  readonly valueMs: number;
}

/** What {@link computeMetrics} derives from a trace. */
export interface SimulationMetrics {
  /** From the first scheduling to the last final transition, in ms. */
  readonly makespanMs: number;
  readonly lowerBound: MakespanLowerBound;
  /** `makespanMs / lowerBound.valueMs` (1 when both are 0). */
  readonly ratio: number;
  /** Wait = first start − readyAt, over tasks that started. */
  readonly wait: {
    readonly all: WaitStats;
    /** Keyed by priority level, '1' to '5'. */
    readonly byPriority: Readonly<Record<string, WaitStats>>;
    readonly byGroup: Readonly<Record<string, WaitStats>>;
  };
  /** The task that waited longest, or `null` when no task started. */
  readonly longestWait: { readonly task: string; readonly waitMs: number } | null;
  /** Busy time ÷ (capacity × makespan), 0 to 1. */
  readonly utilization: {
    readonly workers: number;
    readonly resources: Readonly<Record<string, number>>;
  };
  /** Tasks by final status. */
  readonly outcomes: { readonly completed: number; readonly failed: number; readonly cancelled: number };
}
