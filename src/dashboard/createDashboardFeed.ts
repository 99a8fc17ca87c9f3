import type { Scheduler } from '../scheduler.js';
import type { StatechartOutline } from '../inspection/toStatechartOutline.js';
import type { TaskRecord } from '../types.js';
import type { TaskTracker } from './createTaskTracker.js';
import { recordHistory } from './recordHistory.js';
import { taskPath } from './taskPath.js';
import type { NodeView, PatchMessage, SnapshotMessage, TaskDetail, TaskView } from './protocol.js';

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
    // Present only when they say something, to keep messages small.
    ...(record.children.length > 0 ? { children: record.children } : {}),
    ...(record.parent === undefined ? {} : { parent: record.parent }),
    attempts: record.attempts,
    ...(record.node === undefined ? {} : { node: record.node }),
  });

  return {
    snapshot() {
      return {
        type: 'snapshot',
        at: options.now(),
        canControl: options.canControl,
        statechart: tracker.statechart(),
        tasks: scheduler.listTasks().map(view),
        stats: scheduler.getStats(),
        queue: scheduler.getQueue(options.queueLimit),
        runs: tracker.runs(),
        nodes: options.nodes === undefined ? null : readNodes(),
      };
    },
    patch() {
      const tasks: TaskView[] = [];
      const removed: string[] = [];
      for (const id of tracker.takeChangedTasks()) {
        if (scheduler.hasTask(id)) tasks.push(view(scheduler.getTask(id)));
        else removed.push(id);
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
        runs: tracker.takeChangedRuns(),
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
