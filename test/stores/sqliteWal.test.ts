import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { crashAfterWriting } from '../support/crashedStore.js';
import { storedTask } from '../support/storedTask.js';
import { useTempFolder } from '../support/tempStore.js';
import { thrown } from '../support/thrownStoreError.js';

const temp = useTempFolder();

function ids(file: string, options: { readOnly?: boolean; acceptLostWal?: boolean } = {}): string[] {
  const store = sqliteStore(file, options);
  try {
    return store.load().map((state) => state.task.id);
  } finally {
    store.close();
  }
}

describe('sqliteStore judged by SQLite', () => {
  it('opens a WAL-mode store whose main file is shorter than its header says (the rest is in its WAL)', () => {
    const file = temp.path('run.db');
    const copy = temp.path('copy.db');
    const store = sqliteStore(file);
    store.addTasks(Array.from({ length: 300 }, (_, i) => storedTask(`t${i}`, i, [], { config: { padding: 'x'.repeat(200) } })));
    // What a run that stops here leaves: the tasks are in the WAL, the main file as the last checkpoint left it.
    copyFileSync(file, copy);
    copyFileSync(`${file}-wal`, `${copy}-wal`);
    store.close();
    // A checkpoint cut short (a full disk, a kill) may have written the new page 1 and not yet the pages after it.
    const main = readFileSync(copy);
    const pageSize = main.readUInt16BE(16);
    const walPages = Math.ceil(statSync(`${copy}-wal`).size / pageSize);
    main.writeUInt32BE(main.length / pageSize + walPages, 28);
    main.writeUInt32BE(main.readUInt32BE(24), 92);
    writeFileSync(copy, main);
    expect(main.length).toBeLessThan(main.readUInt32BE(28) * pageSize);
    expect(ids(copy, { readOnly: true })).toHaveLength(300);
    expect(ids(copy)).toHaveLength(300);
  });

  it('refuses a store cut short with no WAL to make it whole, as damaged, and leaves it as it was', () => {
    const file = temp.path('run.db');
    const store = sqliteStore(file);
    store.addTasks(Array.from({ length: 500 }, (_, i) => storedTask(`t${i}`, i)));
    store.close();
    writeFileSync(file, readFileSync(file).subarray(0, 8192));
    const before = readFileSync(file);
    expect(thrown(() => sqliteStore(file)).message).toMatch(/^task store ".*run\.db": is damaged \(.+\); it was left as it is$/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});

describe('sqliteStore after a crash', () => {
  it('reads what a killed run committed (its WAL kept), and opens it again', async () => {
    const file = temp.path('run.db');
    await crashAfterWriting(file, 40, 10);
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect(ids(file, { readOnly: true })).toHaveLength(40);
    expect(ids(file)).toHaveLength(40);
    expect(ids(file)).toHaveLength(40);
  });

  it('refuses a store whose WAL was deleted after a crash, read-only too, saying what happened and what to do, and leaves it as it was', async () => {
    const file = temp.path('run.db');
    await crashAfterWriting(file, 40, 10);
    rmSync(`${file}-wal`);
    rmSync(`${file}-shm`, { force: true });
    const before = readFileSync(file);
    for (const readOnly of [false, true]) {
      const { message } = thrown(() => sqliteStore(file, { readOnly }));
      expect(message).toContain(`was left open by a run that did not close it`);
      expect(message).toContain(`its WAL file "${file}-wal" is missing`);
      expect(message).toContain('start over with --fresh');
    }
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
    // What `run --fresh` does before it removes the file: it opens.
    expect(ids(file, { acceptLostWal: true })).toEqual([]);
  });

  it('opens a store closed in order without its WAL (a close moves the WAL into the file)', () => {
    const file = temp.path('run.db');
    const store = sqliteStore(file);
    store.addTasks([storedTask('a', 0)]);
    store.close();
    rmSync(`${file}-wal`, { force: true });
    expect(ids(file)).toEqual(['a']);
  });
});
