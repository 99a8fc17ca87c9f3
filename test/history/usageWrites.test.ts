import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { HistoryError } from '../../src/errors.js';
import type { UsageHistoryRow } from '../../src/history/RunHistory.js';
import { openDatabase } from '../../src/stores/sqlite/openDatabase.js';
import { sqliteHistory } from '../../src/stores/sqlite/sqliteHistory.js';
import type { TaskSpec } from '../../src/types.js';
import { runMain } from '../cli/runMain.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();

/** Resolves after the current turn of the event loop (and the history's deferred write in it). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function row(kind: 'task' | 'type', name: string, version: number): UsageHistoryRow {
  return { kind, key: kind === 'task' ? `${name}\u0000x` : 'proof', name: kind === 'task' ? name : '', type: 'proof', runs: kind === 'task' ? 'x' : '', stats: { version }, updatedAt: version };
}

/** A history file whose every write of learned usage fails, as on a full disk (a trigger refuses it). */
function historyThatCannotLearn(file: string): void {
  sqliteHistory(file).close();
  const db = openDatabase(file);
  db.exec("CREATE TRIGGER full_disk BEFORE INSERT ON usage_stats BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
  db.close();
}

describe('the learned usage of a history file, written once per turn', () => {
  it('writes the rows put within one turn together after it, each once with the stats it was last given', async () => {
    const file = temp.path('h.db');
    const history = sqliteHistory(file);
    const walSize = (): number => statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    const before = walSize();
    for (let version = 1; version <= 100; version++) {
      history.usage.put(row('task', 'a', version));
      history.usage.put(row('type', '', version));
    }
    // Nothing is written within the turn…
    expect(walSize()).toBe(before);
    await nextTurn();
    // …and then one transaction: a few pages, where a transaction per put appends 200 commits.
    const pageSize = 4096 + 24;
    expect(walSize() - before).toBeGreaterThan(0);
    expect(walSize() - before).toBeLessThanOrEqual(4 * pageSize);
    expect(history.usage.list().map((r) => [r.kind, r.stats])).toEqual([
      ['task', { version: 100 }],
      ['type', { version: 100 }],
    ]);
    history.close();
  });

  it('lets list and prune see the rows put in the same turn, and close writes what is pending', () => {
    const file = temp.path('h.db');
    const history = sqliteHistory(file);
    history.usage.put(row('task', 'a', 5));
    expect(history.usage.list().map((r) => r.name)).toEqual(['a']);
    history.usage.put(row('task', 'old', 1));
    expect(history.usage.prune(2)).toBe(1);
    history.usage.put(row('task', 'b', 7));
    history.close();
    const again = sqliteHistory(file);
    expect(again.usage.list().map((r) => [r.name, r.stats])).toEqual([
      ['a', { version: 5 }],
      ['b', { version: 7 }],
    ]);
    again.close();
  });

  it('refuses a put after close at once', () => {
    const history = sqliteHistory(temp.path('h.db'));
    history.close();
    expect(() => history.usage.put(row('task', 'a', 1))).toThrow(/history ".*h\.db": is closed/);
  });

  it('keeps every task\'s row when the app only awaits onIdle and then closes the history', async () => {
    const file = temp.path('h.db');
    const history = sqliteHistory(file);
    const scheduler = createScheduler({ history, maxWorkers: 4 });
    scheduler.scheduleTasks(Array.from({ length: 20 }, (_, i): TaskSpec => ({ id: `t${i}`, type: 'noop', runs: 'noop', run: () => i })));
    await scheduler.onIdle();
    history.close();
    await scheduler.stop();
    const again = sqliteHistory(file);
    const rows = again.usage.list();
    again.close();
    expect(rows.filter((r) => r.kind === 'task')).toHaveLength(20);
    expect(rows.find((r) => r.kind === 'type')?.stats).toMatchObject({ runs: 20 });
  });
});

describe('a deferred write of learned usage that fails', () => {
  it('is reported by the scheduler at the next put, then thrown by close, which releases the file all the same', async () => {
    const file = temp.path('h.db');
    historyThatCannotLearn(file);
    const history = sqliteHistory(file);
    const scheduler = createScheduler({ history, maxWorkers: 1 });
    const errors: Error[] = [];
    scheduler.events.on('error', ({ error }) => errors.push(error));
    scheduler.scheduleTasks([
      { id: 'a', type: 'proof', runs: 'a', run: () => 1 },
      // A turn passes before b ends: a's rows were written (and failed) by then.
      { id: 'b', type: 'proof', runs: 'b', dependencies: ['a'], run: async () => nextTurn() },
    ]);
    await scheduler.onIdle();
    await scheduler.stop();
    expect(errors.map((error) => error.message)).toEqual([expect.stringMatching(/^history ".*h\.db": storing the usage of 2 tasks and types failed \(.+\): database or disk is full$/)]);
    expect(errors[0]).toBeInstanceOf(HistoryError);
    // What is still pending (a's rows, b's, the type's) cannot be written either: close says so.
    expect(() => history.close()).toThrow(/^history ".*h\.db": storing the usage of 3 tasks and types failed \(.+\): database or disk is full$/);
    const again = sqliteHistory(file);
    expect(again.usage.list()).toEqual([]);
    again.close();
  });

  it('is said by the run command, which cleans up and exits as the run ended', async () => {
    const folder = temp.folder;
    const history = join(folder, 'h.db');
    historyThatCannotLearn(history);
    const workload = join(folder, 'w.yaml');
    writeFileSync(workload, 'tasks:\n  hello:\n    command: echo hello\n');
    const result = await runMain(['run', workload, '--history', history, '-q']);
    expect(result.stderr).toMatch(/^error: history ".*h\.db": storing the usage of (task "hello"|2 tasks and types) failed \(.+\): database or disk is full$/m);
    expect(result.code).toBe(0);
    // The file was released: another run can open it.
    sqliteHistory(history).close();
  });
});
