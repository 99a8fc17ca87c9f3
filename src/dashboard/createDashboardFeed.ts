import type { Scheduler } from '../scheduler.js';
import type { StatechartOutline } from '../inspection/toStatechartOutline.js';
import type { RecoveredRun, TaskRecord } from '../types.js';
import type { TaskTracker } from './createTaskTracker.js';
import { recordHistory } from './recordHistory.js';
import { taskPath } from './taskPath.js';
import type { NodeView, PatchMessage, RunView, SnapshotMessage, TaskDetail, TaskView } from './protocol.js';

/** Fields a task record may carry once the scheduler has them (cached results, spawned children, its worker slot): read when present. */
interface LaterRecordFields {
  readonly cached?: unknown;
  readonly children?: unknown;
  readonly slot?: unknown;
}

/** The optional parts of a task's view: present only when they say something, to keep messages small. */
function extraFields(record: TaskRecord): Partial<TaskView> {
  const later = record as TaskRecord & LaterRecordFields;
  return {
    ...(record.node === undefined ? {} : { node: record.node }),
    ...(record.group === 'default' ? {} : { group: record.group }),
    ...(record.type === 'generic' ? {} : { type: record.type }),
    ...(record.estimateMs === undefined ? {} : { estimateMs: record.estimateMs }),
    ...(later.cached === true ? { cached: true as const } : {}),
    ...(Array.isArray(later.children) && later.children.length > 0 ? { children: later.children.map(String) } : {}),
    ...(typeof later.slot === 'number' && record.status === 'running' ? { slot: later.slot } : {}),
  };
}

/** Marks the runs a resumed run's recovery reported as interrupted (`recovered.interrupted`). */
function createInterruptedMarker(): (recovered: RecoveredRun | undefined, runs: readonly RunView[]) => void {
  let seen: RecoveredRun | undefined;
  let keys = new Set<string>();
  return (recovered, runs) => {
    if (recovered === undefined) return;
    if (recovered !== seen) {
      seen = recovered;
      keys = new Set(recovered.interrupted.map(({ id, attempt }) => `${id}#${attempt}`));
    }
    if (keys.size === 0) return;
    for (const run of runs) if (keys.has(`${run.task}#${run.attempt}`)) run.interrupted = true;
  };
}

/** Builds the dashboard's messages from the public scheduler API and a {@link TaskTracker}. */
export interface DashboardFeed {
  /** Everything, for a client that just connected. */
  snapshot(): SnapshotMessage;
  /** What changed since the last patch. A snapshot does not reset it: patches are idempotent upserts. */
  patch(): PatchMessage;
  /** One task in detail, or undefined for an unknown id. */
  detail(id: string): TaskDetail | undefined;
  /** Whether the `nodes` source says something the last patch did not (false without a source). */
  hasNodeChanges(): boolean;
}

/** Options of {@link createDashboardFeed}. */
export interface DashboardFeedOptions {
  readonly canControl: boolean;
  readonly queueLimit: number;
  readonly now: () => number;
  /** Where the nodes of a distributed run come from, e.g. `() => executor.nodes()`. */
  readonly nodes?: (() => readonly NodeView[]) | undefined;
}

/**
 * Joins what inspection saw (states, history, runs) with what the scheduler's public API says
 * (records, stats, queue, explanations) into the messages the page reads.
 *
 * @example
 * const feed = createDashboardFeed(scheduler, tracker, { canControl: true, queueLimit: 20, now: Date.now });
 * socket.send(JSON.stringify(feed.snapshot()));
 */
export function createDashboardFeed(scheduler: Scheduler, tracker: TaskTracker, options: DashboardFeedOptions): DashboardFeed {
  let sentOutline: StatechartOutline | null = null;
  let lastNodes: readonly NodeView[] = [];
  let sentNodes = '[]';
  /** The source's answer now; a source that throws must not break the feed: the last answer stands. */
  const readNodes = (): readonly NodeView[] => {
    try {
      lastNodes = options.nodes?.() ?? [];
    } catch {
      // keep lastNodes
    }
    return lastNodes;
  };

  const view = (record: TaskRecord): TaskView => ({
    id: record.id,
    name: record.name,
    state: tracker.stateOf(record.id) ?? taskPath(record),
    status: record.status,
    priority: record.priority,
    dependencies: record.dependencies,
    attempts: record.attempts,
    ...extraFields(record),
  });
  const markInterrupted = createInterruptedMarker();
  /** The tracker's runs, with what the scheduler knows better: the slot a running attempt holds, and whether it was interrupted. */
  const annotate = (runs: readonly RunView[], views: ReadonlyMap<string, TaskView>): readonly RunView[] => {
    markInterrupted(scheduler.recovered, runs);
    if (views.size > 0) {
      for (const run of runs) {
        const slot = run.end === null ? views.get(run.task)?.slot : undefined;
        if (slot !== undefined) run.slot = slot;
      }
    }
    return runs;
  };

  return {
    snapshot() {
      const tasks = scheduler.listTasks().map(view);
      const recovered = scheduler.recovered;
      return {
        type: 'snapshot',
        at: options.now(),
        canControl: options.canControl,
        statechart: tracker.statechart(),
        tasks,
        stats: scheduler.getStats(),
        queue: scheduler.getQueue(options.queueLimit),
        runs: annotate(tracker.runs(), new Map(tasks.filter((task) => task.slot !== undefined).map((task) => [task.id, task]))),
        nodes: options.nodes === undefined ? null : readNodes(),
        ...(recovered === undefined ? {} : { recovered }),
      };
    },
    patch() {
      const tasks: TaskView[] = [];
      const removed: string[] = [];
      const slotted = new Map<string, TaskView>();
      for (const id of tracker.takeChangedTasks()) {
        if (!scheduler.hasTask(id)) {
          removed.push(id);
          continue;
        }
        const task = view(scheduler.getTask(id));
        tasks.push(task);
        if (task.slot !== undefined) slotted.set(id, task);
      }
      const outline = tracker.statechart();
      const isNewOutline = outline !== null && outline !== sentOutline;
      sentOutline = outline;
      const nodes = options.nodes === undefined ? undefined : readNodes();
      const nodesJson = nodes === undefined ? sentNodes : JSON.stringify(nodes);
      const hasNewNodes = nodesJson !== sentNodes;
      sentNodes = nodesJson;
      return {
        type: 'patch',
        at: options.now(),
        ...(isNewOutline ? { statechart: outline } : {}),
        tasks,
        removed,
        stats: scheduler.getStats(),
        queue: scheduler.getQueue(options.queueLimit),
        runs: annotate(tracker.takeChangedRuns(), slotted),
        ...(hasNewNodes && nodes !== undefined ? { nodes } : {}),
      };
    },
    hasNodeChanges() {
      return options.nodes !== undefined && JSON.stringify(readNodes()) !== sentNodes;
    },
    detail(id) {
      if (!scheduler.hasTask(id)) return undefined;
      const record = scheduler.getTask(id);
      return {
        task: {
          ...view(record),
          maxAttempts: record.maxAttempts,
          group: record.group,
          resources: record.resources,
          createdAt: record.createdAt,
          startedAt: record.startedAt,
          completedAt: record.completedAt,
          error: record.error?.message,
        },
        // A task recovered from a store already finished: its history is what its record says.
        history: tracker.history(id).length > 0 ? tracker.history(id) : recordHistory(record, options.now()),
        explanation: record.status === 'pending' ? scheduler.explainTask(id) : undefined,
      };
    },
  };
}
