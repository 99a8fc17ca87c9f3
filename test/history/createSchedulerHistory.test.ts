import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { createDashboardFeed } from '../../src/dashboard/createDashboardFeed.js';
import { createTaskTracker, recordedSlotOf } from '../../src/dashboard/createTaskTracker.js';
import { commandTask } from '../../src/workers/commandTask.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import { sqliteHistory } from '../../src/stores/sqlite/sqliteHistory.js';
import type { TaskRecord, TaskSpec } from '../../src/types.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();

/** A two-step pipeline in `folder`: `count` reads inputs/*.txt and writes out/count.txt; `report` reads that. */
function pipeline(folder: string, countCommand = 'cat inputs/*.txt | wc -l > out/count.txt && cat out/count.txt'): TaskSpec[] {
  return [
    { id: 'count', inputs: ['inputs/*.txt'], outputs: ['out/count.txt'], baseDir: folder, run: commandTask(`mkdir -p out && ${countCommand}`, { cwd: folder }) },
    { id: 'report', dependencies: ['count'], inputs: ['out/count.txt'], outputs: ['out/report.txt'], baseDir: folder, run: commandTask('echo "lines: $(cat out/count.txt)" > out/report.txt && cat out/report.txt', { cwd: folder }) },
  ];
}

/** Runs the specs once with a history on `file`; returns the records, the completion events and the final stats. */
async function runOnce(file: string, specs: TaskSpec[], store = memoryTaskStore()) {
  const history = sqliteHistory(file);
  const scheduler = createScheduler({ history, store });
  const events: { id: string; cached: boolean }[] = [];
  scheduler.events.on('task:completed', ({ task, cached }) => events.push({ id: task.id, cached }));
  try {
    const ids = scheduler.scheduleTasks(specs);
    await scheduler.onIdle();
    const records: TaskRecord[] = ids.map((id) => scheduler.getTask(id));
    return { records, events, store, stats: scheduler.getStats() };
  } finally {
    await scheduler.stop();
    history.close();
  }
}

describe('createScheduler({ history })', () => {
  it('completes unchanged cacheable tasks from the history, restoring a deleted output without a run', async () => {
    const folder = temp.folder;
    mkdirSync(join(folder, 'inputs'));
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\nb\n');
    const file = join(folder, 'h.db');
    const first = await runOnce(file, pipeline(folder));
    expect(first.records.map((r) => [r.id, r.status, r.cached, r.ranBecause])).toEqual([
      ['count', 'completed', false, 'no entry'],
      ['report', 'completed', false, 'no entry'],
    ]);
    const report = readFileSync(join(folder, 'out', 'report.txt'), 'utf8');

    rmSync(join(folder, 'out', 'report.txt'));
    const second = await runOnce(file, pipeline(folder));
    expect(second.records.map((r) => [r.id, r.cached, r.attempts, r.ranBecause])).toEqual([
      ['count', true, 0, undefined],
      ['report', true, 0, undefined],
    ]);
    // A hit never ran: the running count does not go below zero for it.
    expect(second.stats).toMatchObject({ running: 0, pending: 0, completed: 2 });
    expect(second.events).toEqual([
      { id: 'count', cached: true },
      { id: 'report', cached: true },
    ]);
    expect(second.records[1]?.result).toEqual(first.records[1]?.result);
    expect(readFileSync(join(folder, 'out', 'report.txt'), 'utf8')).toBe(report);
  });

  it('reruns a task whose input changed and what depends on it, saying why', async () => {
    const folder = temp.folder;
    mkdirSync(join(folder, 'inputs'));
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\n');
    const file = join(folder, 'h.db');
    await runOnce(file, pipeline(folder));
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\nb\nc\n');
    const second = await runOnce(file, pipeline(folder));
    expect(second.records.map((r) => [r.id, r.cached, r.ranBecause])).toEqual([
      ['count', false, 'inputs/c1.txt changed'],
      ['report', false, 'out/count.txt changed'],
    ]);
    expect(readFileSync(join(folder, 'out', 'report.txt'), 'utf8').trim()).toBe('lines: 3');
  });

  it('reruns a task whose command changed, and journals a hit as a completion with its key', async () => {
    const folder = temp.folder;
    mkdirSync(join(folder, 'inputs'));
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\n');
    const file = join(folder, 'h.db');
    await runOnce(file, pipeline(folder));
    const changed = await runOnce(file, pipeline(folder, 'cat inputs/*.txt | wc -c > out/count.txt && cat out/count.txt'));
    expect(changed.records.map((r) => [r.id, r.cached, r.ranBecause])).toEqual([
      ['count', false, 'command changed'],
      ['report', false, 'out/count.txt changed'],
    ]);
    const again = await runOnce(file, pipeline(folder, 'cat inputs/*.txt | wc -c > out/count.txt && cat out/count.txt'));
    const stored = again.store.load();
    expect(stored.map((state) => [state.task.id, state.status, state.cached, typeof state.cacheKey])).toEqual([
      ['count', 'completed', true, 'string'],
      ['report', 'completed', true, 'string'],
    ]);
  });

  it('journals a hit as a completion: a scheduler resumed on the store keeps it cached and asks no history again', async () => {
    const folder = temp.folder;
    mkdirSync(join(folder, 'inputs'));
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\n');
    const file = join(folder, 'h.db');
    await runOnce(file, pipeline(folder));
    const { store } = await runOnce(file, pipeline(folder));
    const empty = sqliteHistory(join(folder, 'empty.db'));
    const resumed = createScheduler({ store, history: empty });
    try {
      expect(resumed.scheduleTasks(pipeline(folder))).toEqual(['count', 'report']);
      await resumed.onIdle();
      expect(resumed.listTasks().map((r) => [r.id, r.status, r.cached, r.attempts])).toEqual([
        ['count', 'completed', true, 0],
        ['report', 'completed', true, 0],
      ]);
      expect(empty.cache.totals().entries).toBe(0);
    } finally {
      await resumed.stop();
      empty.close();
    }
  });

  it('shows cached tasks and why the others ran in the dashboard\'s task data', async () => {
    const folder = temp.folder;
    mkdirSync(join(folder, 'inputs'));
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\n');
    const file = join(folder, 'h.db');
    const lint: TaskSpec = { id: 'lint', inputs: [], run: commandTask('echo style ok') };
    await runOnce(file, [...pipeline(folder), lint]);
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\nb\n');
    const history = sqliteHistory(file);
    const scheduler = createScheduler({ history });
    const tracker = createTaskTracker({ root: scheduler.actor, now: () => Date.now(), onChange: () => {}, slotOf: recordedSlotOf(scheduler) });
    const feed = createDashboardFeed(scheduler, tracker, { canControl: false, queueLimit: 10, now: () => Date.now() });
    try {
      scheduler.scheduleTasks([...pipeline(folder), lint]);
      await scheduler.onIdle();
      expect(feed.snapshot().tasks.map((task) => [task.id, task.cached, task.ranBecause])).toEqual([
        ['count', undefined, 'inputs/c1.txt changed'],
        ['report', undefined, 'out/count.txt changed'],
        ['lint', true, undefined],
      ]);
    } finally {
      await scheduler.stop();
      history.close();
    }
  });

  it('completes hits of tasks that wait dormant (past liveActorLimit) without creating their actors', async () => {
    const folder = temp.folder;
    mkdirSync(join(folder, 'inputs'));
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\n');
    const file = join(folder, 'h.db');
    await runOnce(file, pipeline(folder));
    const history = sqliteHistory(file);
    const scheduler = createScheduler({ history, liveActorLimit: 0 });
    let actors = 0;
    scheduler.actor.system.inspect((event) => {
      if (event.type === '@xstate.actor' && event.actorRef !== scheduler.actor && String((event.actorRef as { id?: string }).id).startsWith('count')) actors++;
    });
    try {
      scheduler.scheduleTasks(pipeline(folder));
      await scheduler.onIdle();
      expect(scheduler.listTasks().map((r) => [r.id, r.status, r.cached])).toEqual([
        ['count', 'completed', true],
        ['report', 'completed', true],
      ]);
      expect(actors).toBe(0);
    } finally {
      await scheduler.stop();
      history.close();
    }
  });

  it('never stores a failed attempt', async () => {
    const folder = temp.folder;
    const file = join(folder, 'h.db');
    const failing: TaskSpec[] = [{ id: 'flaky', inputs: [], retry: { attempts: 1 }, baseDir: folder, run: commandTask('exit 3', { cwd: folder }) }];
    const first = await runOnce(file, failing);
    expect(first.records[0]?.status).toBe('failed');
    const second = await runOnce(file, failing);
    expect(second.records[0]).toMatchObject({ status: 'failed', cached: false, ranBecause: 'no entry' });
    expect(existsSync(file)).toBe(true);
  });
});
