import { describe, expect, it } from 'vitest';
import type { PatchMessage, RunView, SnapshotMessage, TaskView } from '../../src/dashboard/protocol.js';
import { applyMessage, createModel, PAGE_RUN_LIMIT } from '../../src/dashboard/web/model.js';
import type { SchedulerStats } from '../../src/types.js';

const stats: SchedulerStats = { pending: 0, running: 0, dispatched: 0, queued: 0, completed: 0, failed: 0, cancelled: 0, backups: 0, maxWorkers: 2, paused: false, resources: {} };
const task = (id: string, state = 'pending.queued'): TaskView => ({ id, name: id, state, status: 'pending', priority: 3, dependencies: [], attempts: 0 });
const run = (id: string, attempt = 1, end: number | null = null): RunView => ({ task: id, attempt, slot: 0, start: 0, end, outcome: end === null ? null : 'completed' });
const snapshot = (tasks: TaskView[], runs: RunView[] = []): SnapshotMessage => ({ type: 'snapshot', at: 0, canControl: false, statechart: null, tasks, stats, queue: [], runs, nodes: null });
const patch = (part: Partial<PatchMessage>): PatchMessage => ({ type: 'patch', at: 1, tasks: [], removed: [], stats, queue: [], runs: [], ...part });

describe('applyMessage', () => {
  it('replaces everything on a snapshot, then upserts tasks and runs and drops removed tasks on patches', () => {
    const model = createModel();
    applyMessage(model, snapshot([task('a'), task('b')], [run('a')]));
    const shape = model.shapeVersion;
    applyMessage(model, patch({ tasks: [task('a', 'running')], runs: [run('a', 1, 50), run('b')] }));
    expect(model.shapeVersion).toBe(shape);
    expect(model.tasks.get('a')?.state).toBe('running');
    expect(model.runs.map((each) => [each.task, each.end])).toEqual([
      ['a', 50],
      ['b', null],
    ]);
    applyMessage(model, patch({ tasks: [task('c')], removed: ['b'] }));
    expect([...model.tasks.keys()]).toEqual(['a', 'c']);
    expect(model.shapeVersion).toBeGreaterThan(shape);
  });

  it('says when the selected task changed, so its detail is read again', () => {
    const model = createModel();
    applyMessage(model, snapshot([task('a'), task('b')]));
    model.selectedId = 'a';
    expect(applyMessage(model, patch({ tasks: [task('b', 'running')] }))).toBe(false);
    expect(applyMessage(model, patch({ tasks: [task('a', 'running')] }))).toBe(true);
  });

  it('keeps at most PAGE_RUN_LIMIT attempts, dropping the oldest, however long the run', () => {
    const model = createModel();
    applyMessage(model, snapshot([]));
    const batch = 50_000;
    for (let sent = 0; sent < PAGE_RUN_LIMIT * 1.5; sent += batch) {
      applyMessage(model, patch({ runs: Array.from({ length: batch }, (_, index) => run(`t${sent + index}`)) }));
      expect(model.runs.length).toBeLessThanOrEqual(PAGE_RUN_LIMIT);
    }
    const newest = `t${PAGE_RUN_LIMIT * 1.5 - 1}`;
    expect(model.runs.at(-1)?.task).toBe(newest);
    // An update of a kept attempt still lands on it, not on a stale position.
    applyMessage(model, patch({ runs: [run(newest, 1, 99)] }));
    expect(model.runs.at(-1)).toMatchObject({ task: newest, end: 99 });
    expect(model.runs.filter((each) => each.task === newest)).toHaveLength(1);
  });
});
