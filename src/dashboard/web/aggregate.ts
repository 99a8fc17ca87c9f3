// Pure functions that turn a run's tasks into what the graph and the progress bars draw: dependency
// levels, a task's category and aggregation key, clusters of tasks with counts by category.
import type { TaskView } from '../protocol.js';

/** The six colours a task can have; every state of the task machine falls in one. */
export const CATEGORIES = ['done', 'failed', 'cancelled', 'running', 'ready', 'waiting'] as const;
export type Category = (typeof CATEGORIES)[number];
export type CategoryCounts = Record<Category, number>;

/** How tasks are put together: by dependency level, by `group`, by `type`, or by name prefix. */
export type GroupMode = 'level' | 'group' | 'type' | 'prefix';
export const GROUP_MODES: readonly GroupMode[] = ['level', 'group', 'type', 'prefix'];

/** The part of a task these functions read. */
export type GraphTask = Pick<TaskView, 'id' | 'name' | 'state' | 'dependencies'> & Partial<Pick<TaskView, 'group' | 'type'>>;

export function emptyCounts(): CategoryCounts {
  return { done: 0, failed: 0, cancelled: 0, running: 0, ready: 0, waiting: 0 };
}

/**
 * A state path's category: `completed` done, `failed`, `cancelled`, `running` (and a dispatched
 * attempt, which holds its worker slot), `ready` (queued, or set aside for resources) and
 * everything else waiting (dependencies, paused, backoff).
 */
export function categoryOf(state: string): Category {
  if (state === 'completed') return 'done';
  if (state === 'failed' || state === 'cancelled') return state;
  if (state === 'running' || state.startsWith('running.') || state === 'pending.dispatched') return 'running';
  if (state === 'pending.queued' || state === 'pending.resources') return 'ready';
  return 'waiting';
}

const SUFFIX = /(?:[-_.:/# ]?(?:\d+|[0-9a-f]{8,}))$/i;

/**
 * A task name's prefix, as Dask's dashboard groups keys: trailing numbers and hashes, with the
 * separator before them, are taken off until none is left (`prove-lemma-0042` → `prove-lemma`,
 * `shard_7_3` → `shard`). A name that is nothing but digits is its own prefix.
 */
export function prefixOf(name: string): string {
  let prefix = name;
  for (let next = prefix.replace(SUFFIX, ''); next !== prefix && next !== ''; next = prefix.replace(SUFFIX, '')) prefix = next;
  return prefix;
}

/**
 * Each task's dependency level: 0 without dependencies (or when they are no longer known), else
 * one more than its deepest dependency. Iterative, so a long chain cannot overflow the stack; a
 * cycle (which the scheduler refuses anyway) is cut where it closes.
 */
export function computeLevels(tasks: ReadonlyMap<string, Pick<GraphTask, 'dependencies'>>): Map<string, number> {
  const levels = new Map<string, number>();
  const onPath = new Set<string>();
  for (const root of tasks.keys()) {
    if (levels.has(root)) continue;
    const stack: string[] = [root];
    while (stack.length > 0) {
      const id = stack[stack.length - 1] as string;
      if (levels.has(id)) {
        stack.pop();
        continue;
      }
      onPath.add(id);
      const pending = (tasks.get(id)?.dependencies ?? []).filter((dep) => tasks.has(dep) && !levels.has(dep) && !onPath.has(dep));
      if (pending.length > 0) {
        stack.push(...pending);
        continue;
      }
      let level = 0;
      for (const dep of tasks.get(id)?.dependencies ?? []) {
        const depLevel = levels.get(dep);
        if (depLevel !== undefined) level = Math.max(level, depLevel + 1);
      }
      levels.set(id, level);
      onPath.delete(id);
      stack.pop();
    }
  }
  return levels;
}

/** A task's key under a grouping mode (the level is its own key in `level` mode). */
export function keyOf(task: GraphTask, mode: GroupMode, level: number): string {
  if (mode === 'group') return task.group ?? 'default';
  if (mode === 'type') return task.type ?? 'generic';
  if (mode === 'prefix') return prefixOf(task.name);
  return `level ${level}`;
}

/** Several tasks drawn as one box: same level and key. */
export interface Cluster {
  readonly id: string;
  readonly level: number;
  readonly key: string;
  readonly counts: CategoryCounts;
  readonly taskIds: string[];
}

/** An arrow between two clusters, carrying how many dependencies it stands for. */
export interface ClusterEdge {
  readonly source: string;
  readonly target: string;
  count: number;
}

/**
 * Puts every task in a cluster (its level and its key under `mode`) and every dependency on an
 * edge between clusters. Every task is counted: the sum of the clusters' sizes is the number of
 * tasks given.
 */
export function clusterTasks(tasks: Iterable<GraphTask>, levels: ReadonlyMap<string, number>, mode: GroupMode): { clusters: Cluster[]; edges: ClusterEdge[] } {
  const clusters = new Map<string, Cluster>();
  const clusterOfTask = new Map<string, string>();
  const list = [...tasks];
  for (const task of list) {
    const level = levels.get(task.id) ?? 0;
    const key = mode === 'level' ? '' : keyOf(task, mode, level);
    const id = `${level}\u0000${key}`;
    let cluster = clusters.get(id);
    if (cluster === undefined) {
      cluster = { id, level, key, counts: emptyCounts(), taskIds: [] };
      clusters.set(id, cluster);
    }
    cluster.counts[categoryOf(task.state)] += 1;
    cluster.taskIds.push(task.id);
    clusterOfTask.set(task.id, id);
  }
  const edges = new Map<string, ClusterEdge>();
  for (const task of list) {
    const target = clusterOfTask.get(task.id) as string;
    for (const dep of task.dependencies) {
      const source = clusterOfTask.get(dep);
      if (source === undefined) continue;
      const id = `${source}\u0001${target}`;
      const edge = edges.get(id);
      if (edge === undefined) edges.set(id, { source, target, count: 1 });
      else edge.count += 1;
    }
  }
  return { clusters: [...clusters.values()], edges: [...edges.values()] };
}

/** One bar of the progress panel. */
export interface ProgressRow {
  readonly key: string;
  readonly total: number;
  readonly counts: CategoryCounts;
}

const collator = new Intl.Collator('en', { numeric: true });

/** Counts by category per key under `mode`, in natural order of the keys (`level 2` before `level 10`). */
export function progressRows(tasks: Iterable<GraphTask>, levels: ReadonlyMap<string, number>, mode: GroupMode): ProgressRow[] {
  const rows = new Map<string, { key: string; total: number; counts: CategoryCounts }>();
  for (const task of tasks) {
    const key = keyOf(task, mode, levels.get(task.id) ?? 0);
    let row = rows.get(key);
    if (row === undefined) {
      row = { key, total: 0, counts: emptyCounts() };
      rows.set(key, row);
    }
    row.total += 1;
    row.counts[categoryOf(task.state)] += 1;
  }
  return [...rows.values()].sort((a, b) => collator.compare(a.key, b.key));
}

/**
 * The task and every task it depends on, directly or not, and every task that depends on it:
 * what focus mode shows.
 */
export function lineageOf(id: string, tasks: ReadonlyMap<string, Pick<GraphTask, 'dependencies'>>, dependents: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>([id]);
  const walk = (next: (current: string) => readonly string[]): void => {
    const stack = [id];
    while (stack.length > 0) {
      for (const other of next(stack.pop() as string)) {
        if (seen.has(other) || !tasks.has(other)) continue;
        seen.add(other);
        stack.push(other);
      }
    }
  };
  walk((current) => tasks.get(current)?.dependencies ?? []);
  walk((current) => dependents.get(current) ?? []);
  return seen;
}

/** For each task, the tasks that list it as a dependency. */
export function dependentsOf(tasks: Iterable<Pick<GraphTask, 'id' | 'dependencies'>>): Map<string, string[]> {
  const dependents = new Map<string, string[]>();
  for (const task of tasks) {
    for (const dep of task.dependencies) {
      const list = dependents.get(dep);
      if (list === undefined) dependents.set(dep, [task.id]);
      else list.push(task.id);
    }
  }
  return dependents;
}
