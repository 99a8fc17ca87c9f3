import type { StatechartOutline } from '../inspection/toStatechartOutline.js';
import type { AttemptUsage, BackupRecord, EstimateSource, NodeStatus, QueuedTask, RecoveredRun, SchedulerStats, TaskExplanation, TaskPriority, TaskStatus } from '../types.js';

/** What the page knows of a task in its list, its DAG and its counters. */
export interface TaskView {
  readonly id: string;
  readonly name: string;
  /** Active state of the task machine as a dotted path, e.g. `pending.queued`. */
  readonly state: string;
  readonly status: TaskStatus;
  readonly priority: TaskPriority;
  readonly dependencies: readonly string[];
  /** Ids of the tasks it spawned (`ctx.spawn`) or of its race's alternatives, in order (absent when none). */
  readonly children?: readonly string[];
  /** The task that spawned it, or whose race it runs in (absent for a top-level task). */
  readonly parent?: string;
  readonly attempts: number;
  /** The node its latest attempt was placed on, in a distributed run (absent elsewhere). */
  readonly node?: string;
  /** The task's group (`'default'` when it names none): one of the page's ways to aggregate. */
  readonly group?: string;
  /** The task's type (its handler's name): another way to aggregate. */
  readonly type?: string;
  /** The task's duration estimate in ms, when it gives one: what the page's ETA is made of. */
  readonly estimateMs?: number;
  /** The worker slot its running attempt holds (`TaskRecord.slot`). */
  readonly slot?: number;
  /** True when its result came from a cache rather than a run (a record field, when the scheduler has it). */
  readonly cached?: true;
  /** Why a cacheable task ran, with a history: `inputs/c1.txt changed`, `no entry`… (absent otherwise). */
  readonly ranBecause?: string;
  /** The backup copy of its latest attempt (`speculate`), as its record has it (absent when none started). */
  readonly backup?: BackupRecord;
}

/** A node of a distributed run, as the optional `nodes` source of `startDashboard` reports it. */
export type NodeView = NodeStatus;

/** One attempt of a task on a worker slot, for the Gantt chart. */
export interface RunView {
  readonly task: string;
  /** 1-based attempt number. */
  readonly attempt: number;
  /** Worker slot, 0-based: the scheduler's slot its attempt held (`TaskRecord.slot`). */
  slot: number;
  /** Start, in ms of the dashboard's clock. */
  readonly start: number;
  /** End, or null while running. */
  end: number | null;
  /** State the task left `running` for, or null while running. */
  outcome: string | null;
  /** The node the attempt was placed on, once known (distributed runs only). */
  node?: string;
  /** True for an attempt a crash cut short, as the resumed run's `recovered.interrupted` lists it. */
  interrupted?: true;
}

/** One entry of a task's history. */
export interface TransitionView {
  /** When, in ms of the dashboard's clock. */
  readonly at: number;
  /** The state left, or null for the first entry. */
  readonly from: string | null;
  readonly to: string;
  /** Type of the event that caused it. */
  readonly event: string;
}

/** Everything the page needs, sent when a client connects (and by `GET /api/state`). */
export interface SnapshotMessage {
  readonly type: 'snapshot';
  readonly at: number;
  readonly canControl: boolean;
  readonly statechart: StatechartOutline | null;
  readonly tasks: readonly TaskView[];
  readonly stats: SchedulerStats;
  readonly queue: readonly QueuedTask[];
  readonly runs: readonly RunView[];
  /** The nodes of a distributed run, or null when the dashboard was given no `nodes` source. */
  readonly nodes: readonly NodeView[] | null;
  /** What the scheduler recovered from its store when the run was resumed (absent for a fresh run). */
  readonly recovered?: RecoveredRun;
}

/** What changed since the last message, at most one per `throttleMs`. */
export interface PatchMessage {
  readonly type: 'patch';
  readonly at: number;
  /** Sent once, when the first task actor is seen after connection. */
  readonly statechart?: StatechartOutline;
  /** Tasks whose view changed (added or updated). */
  readonly tasks: readonly TaskView[];
  /** Ids the scheduler no longer keeps. */
  readonly removed: readonly string[];
  readonly stats: SchedulerStats;
  readonly queue: readonly QueuedTask[];
  /** Runs started or ended since the last message (or placed on a node). */
  readonly runs: readonly RunView[];
  /** The nodes, when they changed since the last message. */
  readonly nodes?: readonly NodeView[];
}

/** A message from the server on the WebSocket. */
export type DashboardMessage = SnapshotMessage | PatchMessage;

/** The answer of `GET /api/task?id=`: one task in detail. */
export interface TaskDetail {
  readonly task: TaskView & {
    readonly maxAttempts: number;
    readonly group: string;
    readonly resources: Readonly<Record<string, number>>;
    readonly createdAt: number;
    readonly startedAt: number | undefined;
    readonly completedAt: number | undefined;
    readonly error: string | undefined;
    /** Where its planned `estimateMs` came from (`declared`, or learned: `task`, `command`, `type`, `default`); absent without an estimate. */
    readonly estimateSource?: EstimateSource;
    /** What its latest attempt that ended used (duration, peak memory, CPU time); absent before one ended. */
    readonly usage?: AttemptUsage;
  };
  readonly history: readonly TransitionView[];
  /** `explainTask`'s answer while the task is pending. */
  readonly explanation: TaskExplanation | undefined;
}
