import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categoryOf, clusterTasks, computeLevels, dependentsOf, lineageOf, prefixOf, progressRows, type GraphTask } from '../../src/dashboard/web/aggregate.js';

const task = (id: string, dependencies: string[] = [], state = 'pending.queued', extra: Partial<GraphTask> = {}): GraphTask => ({ id, name: id, state, dependencies, ...extra });
const mapOf = (tasks: GraphTask[]) => new Map(tasks.map((each) => [each.id, each]));

/** A random DAG: each task depends only on tasks before it. */
const dagArbitrary = fc.integer({ min: 1, max: 60 }).chain((size) =>
  fc.tuple(...Array.from({ length: size }, (_, index) => fc.subarray(Array.from({ length: index }, (__, dep) => `t${dep}`), { maxLength: Math.min(4, index) }))).map((deps) =>
    deps.map((dependencies, index) => task(`t${index}`, dependencies, ['completed', 'running', 'failed', 'pending.dependencies'][index % 4])),
  ),
);

describe('categoryOf', () => {
  it('puts every state of the task machine in one of six colours', () => {
    expect(['completed', 'failed', 'cancelled', 'running', 'pending.dispatched', 'pending.queued', 'pending.resources', 'pending.dependencies', 'pending.paused', 'pending.backoff'].map(categoryOf)).toEqual([
      'done', 'failed', 'cancelled', 'running', 'running', 'ready', 'ready', 'waiting', 'waiting', 'waiting',
    ]);
  });
});

describe('prefixOf', () => {
  it('takes trailing numbers and hashes off a name, as Dask groups keys', () => {
    expect(prefixOf('prove-lemma-0042')).toBe('prove-lemma');
    expect(prefixOf('shard_7_3')).toBe('shard');
    expect(prefixOf('render:3f2a9c01d2')).toBe('render');
    expect(prefixOf('t123')).toBe('t');
    expect(prefixOf('12345')).toBe('12345');
    expect(prefixOf('report')).toBe('report');
  });
});

describe('computeLevels', () => {
  it('puts a task one level below its deepest dependency, and a task whose dependency is gone at level 0', () => {
    const levels = computeLevels(mapOf([task('a'), task('b', ['a']), task('c', ['a', 'b']), task('d', ['forgotten'])]));
    expect(Object.fromEntries(levels)).toEqual({ a: 0, b: 1, c: 2, d: 0 });
  });

  it('handles a chain of 100 000 tasks without overflowing the stack', () => {
    const chain = Array.from({ length: 100_000 }, (_, index) => task(`t${index}`, index === 0 ? [] : [`t${index - 1}`]));
    expect(computeLevels(mapOf(chain)).get('t99999')).toBe(99_999);
  });

  it('gives every task a level above each of its dependencies (property)', () => {
    fc.assert(
      fc.property(dagArbitrary, (tasks) => {
        const levels = computeLevels(mapOf(tasks));
        return tasks.every((each) => each.dependencies.every((dep) => (levels.get(each.id) as number) > (levels.get(dep) as number)));
      }),
    );
  });
});

describe('clusterTasks', () => {
  it('counts every task exactly once, whatever the grouping (property)', () => {
    fc.assert(
      fc.property(dagArbitrary, fc.constantFrom('level', 'group', 'type', 'prefix' as const), (tasks, mode) => {
        const { clusters, edges } = clusterTasks(tasks, computeLevels(mapOf(tasks)), mode);
        const counted = clusters.flatMap((cluster) => cluster.taskIds);
        const byCategory = clusters.reduce((sum, cluster) => sum + Object.values(cluster.counts).reduce((a, b) => a + b, 0), 0);
        const dependencies = tasks.reduce((sum, each) => sum + each.dependencies.length, 0);
        return counted.length === tasks.length && new Set(counted).size === tasks.length && byCategory === tasks.length && edges.reduce((sum, edge) => sum + edge.count, 0) === dependencies;
      }),
    );
  });

  it('splits a level by group, with counts by state', () => {
    const tasks = [task('a', [], 'completed', { group: 'fetch' }), task('b', [], 'running', { group: 'fetch' }), task('c', [], 'failed', { group: 'lint' }), task('d', ['a', 'b', 'c'], 'pending.dependencies', { group: 'fetch' })];
    const { clusters, edges } = clusterTasks(tasks, computeLevels(mapOf(tasks)), 'group');
    expect(clusters.map((cluster) => [cluster.level, cluster.key, cluster.taskIds.length, cluster.counts.done, cluster.counts.running, cluster.counts.failed, cluster.counts.waiting])).toEqual([
      [0, 'fetch', 2, 1, 1, 0, 0],
      [0, 'lint', 1, 0, 0, 1, 0],
      [1, 'fetch', 1, 0, 0, 0, 1],
    ]);
    expect(edges.map((edge) => edge.count).sort()).toEqual([1, 2]);
  });
});

describe('progressRows', () => {
  it('gives one row per key in natural order with counts by state', () => {
    const tasks = [task('level-10', [], 'completed', { type: 'b' }), task('x', [], 'running', { type: 'a' }), task('y', [], 'completed', { type: 'a' })];
    expect(progressRows(tasks, new Map(), 'type').map((row) => [row.key, row.total, row.counts.done, row.counts.running])).toEqual([
      ['a', 2, 1, 1],
      ['b', 1, 1, 0],
    ]);
  });
});

describe('lineageOf', () => {
  it('is the task, all its ancestors and all its descendants, and nothing beside them', () => {
    const tasks = mapOf([task('root'), task('side'), task('mid', ['root']), task('leaf', ['mid']), task('other', ['side']), task('join', ['leaf', 'side'])]);
    expect([...lineageOf('mid', tasks, dependentsOf(tasks.values()))].sort()).toEqual(['join', 'leaf', 'mid', 'root']);
  });
});
