import type { Scheduler } from '../core/scheduler.js';
import type { StatechartOutline } from '../inspection/toStatechartOutline.js';
import type { RecoveredRun, TaskRecord } from '../types.js';
import type { TaskTracker } from './createTaskTracker.js';
import { recordHistory } from './recordHistory.js';
import { taskPath } from './taskPath.js';
import type { NodeView, PatchMessage, RunView, SnapshotMessage, TaskDetail, TaskView } from './protocol.js';

/** The optional parts of a task's view: present only when they say something, to keep messages small. */
function extraFields(record: TaskRecord): Partial<TaskView> {
  return {
    ...(record.node === undefined ? {} : { node: record.node }),
    ...(record.group === 'default' ? {} : { group: record.group }),
    ...(record.type === 'generic' ? {} : { type: record.type }),
    ...(record.estimateMs === undefined ? {} : { estimateMs: record.estimateMs }),
    ...(record.cached ? { cached: true as const } : {}),
    ...(record.ranBecause === undefined ? {} : { ranBecause: record.ranBecause }),
    ...(record.children.length > 0 ? { children: record.children } : {}),
    ...(record.parent === undefined ? {} : { parent: record.parent }),
    ...(record.slot !== undefined && record.status === 'running' ? { slot: record.slot } : {}),
    ...(record.backup === undefined ? {} : { backup: record.backup }),
  };
}

/**
 * The attempts a resumed run's recovery reported interrupted (`recovered.interrupted`): they ran
 * in the process that crashed, so inspection never saw them. Each becomes a run of its own, from
 * when its record says it started to when this scheduler recovered it, marked `interrupted`; a
 * run the tracker did see for such an attempt is marked too.
 */
function createInterruptedRuns(scheduler: Scheduler, now: () => number) {
  let seen: RecoveredRun | undefined;
  let keys = new Set<string>();
  let runs: RunView[] = [];
  let unsent: RunView[] = [];
  const refresh = (): void => {
    const recovered = scheduler.recovered;
    if (recovered === undefined || recovered === seen) return;
    seen = recovered;
    keys = new Set(recovered.interrupted.map(({ id, attempt }) => `${id}#${attempt}`));
    const at = now();
    runs = recovered.interrupted.map(({ id, attempt }) => {
      const record = scheduler.hasTask(id) ? scheduler.getTask(id) : undefined;
      const start = record?.startedAt ?? record?.createdAt ?? at;
      return { task: id, attempt, slot: -1, start: Math.min(start, at), end: at, outcome: 'interrupted', interrupted: true as const };
    });
    unsent = runs;
  };
  const mark = (tracked: readonly RunView[]): void => {
    if (keys.size === 0) return;
    for (const run of tracked) if (keys.has(`${run.task}#${run.attempt}`)) run.interrupted = true;
  };
  return {
    /** Every run, with the interrupted ones first. */
    all(tracked: readonly RunView[]): readonly RunView[] {
      refresh();
      mark(tracked);
      unsent = [];
      return runs.length === 0 ? tracked : [...runs, ...tracked];
    },
    /** The runs changed since the last message, with the interrupted ones the first time they are known. */
    changed(tracked: readonly RunView[]): readonly RunView[] {
      refresh();
      mark(tracked);
      const fresh = unsent;
      unsent = [];
      return fresh.length === 0 ? tracked : [...fresh, ...tracked];
    },
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
  const interrupted = createInterruptedRuns(scheduler, options.now);

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
        // The tracker's runs are in the slots the scheduler's records name (createTaskTracker's slotOf).
        runs: interrupted.all(tracker.runs()),
        nodes: options.nodes === undefined ? null : readNodes(),
        ...(recovered === undefined ? {} : { recovered }),
      };
    },
    patch() {
      const tasks: TaskView[] = [];
      const removed: string[] = [];
      for (const id of tracker.takeChangedTasks()) {
        if (!scheduler.hasTask(id)) {
          removed.push(id);
          continue;
        }
        const task = view(scheduler.getTask(id));
        tasks.push(task);
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
        runs: interrupted.changed(tracker.takeChangedRuns()),
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
          ...(record.estimateSource === undefined ? {} : { estimateSource: record.estimateSource }),
          ...(record.usage === undefined ? {} : { usage: record.usage }),
        },
        // A task recovered from a store already finished: its history is what its record says.
        history: tracker.history(id).length > 0 ? tracker.history(id) : recordHistory(record, options.now()),
        explanation: record.status === 'pending' ? scheduler.explainTask(id) : undefined,
      };
    },
  };
}
