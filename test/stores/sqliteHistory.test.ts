import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HistoryError } from '../../src/errors.js';
import type { CachePut } from '../../src/history/RunHistory.js';
import { HISTORY_SCHEMA_VERSION, sqliteHistory } from '../../src/stores/sqlite/sqliteHistory.js';
import { openDatabase } from '../../src/stores/sqlite/openDatabase.js';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { holdHistory } from '../support/holdInChild.js';
import { thrownOf } from '../support/thrownStoreError.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();

const thrown = (call: () => unknown): HistoryError => thrownOf(HistoryError, call);

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** An entry with one output per content given. */
function entry(key: string, at: number, ...contents: string[]): CachePut {
  const blobs = contents.map((text) => Buffer.from(text));
  return {
    key,
    task: `task-${key}`,
    type: 'proof',
    result: { exitCode: 0, stdout: `${key} done\n` },
    outputs: blobs.map((blob, i) => ({ path: `out/${key}-${i}.txt`, hash: sha(blob), size: blob.byteLength, mode: 0o644 })),
    contents: new Map(blobs.map((blob) => [sha(blob), blob])),
    at,
    parts: { key },
  };
}

describe('sqliteHistory', () => {
  it('keeps entries across opens: a later run sees what an earlier one stored', () => {
    const file = temp.path('h.db');
    const first = sqliteHistory(file);
    expect(first.openedVersion).toBe(0);
    first.cache.put(entry('k1', 1000, 'lemma proved'));
    first.close();
    const second = sqliteHistory(file);
    expect(second.openedVersion).toBe(HISTORY_SCHEMA_VERSION);
    const found = second.cache.get('k1', 2000);
    expect(found?.result).toEqual({ exitCode: 0, stdout: 'k1 done\n' });
    expect(found?.outputs).toEqual([{ path: 'out/k1-0.txt', hash: sha(Buffer.from('lemma proved')), size: 12, mode: 0o644 }]);
    expect(Buffer.from(second.cache.content(found?.outputs[0]?.hash ?? '') ?? []).toString()).toBe('lemma proved');
    expect(second.cache.get('missing', 2000)).toBeUndefined();
    second.close();
    const third = sqliteHistory(file);
    expect(third.cache.list()[0]?.usedAt).toBe(2000);
    third.close();
  });

  it('stores each distinct output content once, and drops a content no entry refers to any more', () => {
    const history = sqliteHistory(temp.path('h.db'));
    history.cache.put(entry('a', 1, 'same', 'only-a'));
    history.cache.put(entry('b', 2, 'same'));
    expect(history.cache.totals().contents).toBe(2);
    // Replacing a's entry: its old 'only-a' content is no longer needed.
    history.cache.put(entry('a', 3, 'same'));
    expect(history.cache.totals().contents).toBe(1);
    history.close();
  });

  it('refuses an entry whose output content is neither given nor stored, and stores nothing of it', () => {
    const history = sqliteHistory(temp.path('h.db'));
    const put = entry('a', 1, 'text');
    const error = thrown(() => history.cache.put({ ...put, contents: new Map() }));
    expect(error.message).toContain('the content of output "out/a-0.txt"');
    expect(history.cache.get('a', 2)).toBeUndefined();
    history.close();
  });

  it('prunes by age, then by size keeping the most recently used', () => {
    const history = sqliteHistory(temp.path('h.db'));
    history.cache.put(entry('old', 100, 'x'.repeat(1000)));
    history.cache.put(entry('mid', 200, 'y'.repeat(1000)));
    history.cache.put(entry('new', 300, 'z'.repeat(1000)));
    const byAge = history.cache.prune({ usedBefore: 150 });
    expect(byAge.entries).toBe(1);
    expect(byAge.contents).toBe(1);
    expect(history.cache.list().map((e) => e.key)).toEqual(['new', 'mid']);
    const bySize = history.cache.prune({ maxBytes: 1100 });
    expect(bySize.entries).toBe(1);
    expect(history.cache.list().map((e) => e.key)).toEqual(['new']);
    expect(history.cache.totals().bytes).toBeLessThanOrEqual(1100);
    history.close();
  });

  it('refuses garbage by name and leaves it as it was', () => {
    const file = temp.path('h.db');
    const garbage = Buffer.from('this is not a database at all, just some text '.repeat(10));
    writeFileSync(file, garbage);
    expect(thrown(() => sqliteHistory(file)).message).toBe(`history "${file}": is not an SQLite database (garbage, or a file of another kind); it was left as it is`);
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it('refuses a task store given as a history, and another program\'s database, leaving them as they were', () => {
    const state = temp.path('run.db');
    sqliteStore(state).close();
    const before = readFileSync(state);
    expect(thrown(() => sqliteHistory(state)).message).toContain('is a xeno-scheduler task store file (tables: ');
    expect(readFileSync(state).equals(before)).toBe(true);
    const other = temp.path('other.db');
    const db = openDatabase(other);
    db.exec('CREATE TABLE notes (x TEXT)');
    db.close();
    expect(thrown(() => sqliteHistory(other)).message).toContain('is an SQLite database of another program (tables: notes)');
  });

  it('refuses a history of a newer version, and leaves it as it was', () => {
    const file = temp.path('h.db');
    sqliteHistory(file).close();
    const db = openDatabase(file);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'version'").run(String(HISTORY_SCHEMA_VERSION + 1));
    db.close();
    const before = readFileSync(file);
    expect(thrown(() => sqliteHistory(file)).message).toBe(
      `history "${file}": was written by a newer xeno-scheduler (history version ${HISTORY_SCHEMA_VERSION + 1}; this one reads up to ${HISTORY_SCHEMA_VERSION}); it was left as it is`,
    );
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('brings an older history up to this version, keeping what it holds', () => {
    const file = temp.path('h.db');
    const db = openDatabase(file);
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID; INSERT INTO meta VALUES ('format', 'xeno-scheduler history'), ('version', '0'), ('created', 'then')");
    db.close();
    const history = sqliteHistory(file);
    expect(history.openedVersion).toBe(0);
    history.cache.put(entry('a', 1));
    history.close();
    const check = openDatabase(file);
    expect((check.prepare("SELECT value FROM meta WHERE key = 'created'").get() as { value: string }).value).toBe('then');
    expect((check.prepare("SELECT value FROM meta WHERE key = 'version'").get() as { value: string }).value).toBe(String(HISTORY_SCHEMA_VERSION));
    check.close();
  });

  it('refuses a history another process holds, naming it, and opens it once that process is gone', async () => {
    const file = temp.path('h.db');
    const history = sqliteHistory(file);
    history.cache.put(entry('a', 1, 'kept'));
    history.close();
    const holder = await holdHistory(file);
    try {
      expect(thrown(() => sqliteHistory(file)).message).toBe(
        `history "${file}": is in use by another run (another process holds it for writing); wait for it to end, or give this run another --history file`,
      );
    } finally {
      await holder.exit();
    }
    const again = sqliteHistory(file);
    expect(again.cache.get('a', 2)?.task).toBe('task-a');
    again.close();
  });

  it('refuses a missing file when it must exist, creating nothing', () => {
    const file = temp.path('none.db');
    expect(thrown(() => sqliteHistory(file, { mustExist: true })).message).toBe(`history "${file}": does not exist`);
  });
});
