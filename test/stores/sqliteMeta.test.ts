import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/stores/sqlite/openDatabase.js';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();

describe('sqliteStore runId', () => {
  it('is made when the store is created, the same on every later open (read-only too), and new for a new file', () => {
    const file = temp.path('run.db');
    const created = sqliteStore(file);
    const runId = created.runId;
    created.close();
    expect(runId).toMatch(/^[0-9a-f]{16}$/);
    const again = sqliteStore(file);
    expect(again.runId).toBe(runId);
    again.close();
    const reader = sqliteStore(file, { readOnly: true });
    expect(reader.runId).toBe(runId);
    reader.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    const fresh = sqliteStore(file);
    expect(fresh.runId).toMatch(/^[0-9a-f]{16}$/);
    expect(fresh.runId).not.toBe(runId);
    fresh.close();
  });

  it('is given to a store written before run ids existed the first time a run opens it, and kept', () => {
    const file = temp.path('old.db');
    sqliteStore(file).close();
    const db = openDatabase(file);
    db.exec("DELETE FROM meta WHERE key = 'run_id'");
    db.close();
    const reader = sqliteStore(file, { readOnly: true });
    expect(reader.runId).toBe('');
    reader.close();
    const opened = sqliteStore(file);
    const runId = opened.runId;
    opened.close();
    expect(runId).toMatch(/^[0-9a-f]{16}$/);
    const again = sqliteStore(file);
    expect(again.runId).toBe(runId);
    again.close();
  });
});

describe('sqliteStore notes', () => {
  it('keeps a note across opens, apart from the store\'s own keys, and refuses to write one read-only', () => {
    const file = temp.path('notes.db');
    const store = sqliteStore(file);
    expect(store.readNote('work')).toBeUndefined();
    store.writeNote('work', '{"a":1}');
    store.writeNote('run_id', 'not the run id');
    store.writeNote('work', '{"a":2}');
    const runId = store.runId;
    store.close();
    const reader = sqliteStore(file, { readOnly: true });
    expect(reader.readNote('work')).toBe('{"a":2}');
    expect(reader.runId).toBe(runId);
    expect(() => reader.writeNote('work', '{}')).toThrow(`task store "${file}": was opened to read only`);
    reader.close();
  });
});
