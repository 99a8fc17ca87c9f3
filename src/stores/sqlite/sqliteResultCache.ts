import type { CacheEntry, CacheEntrySummary, CachePut, CachedOutput, PruneOptions, PruneResult, ResultCache } from '../../history/RunHistory.js';
import type { SqlDatabase } from './openDatabase.js';
import { toJson } from './transitionRow.js';

interface EntryRow {
  key: string;
  task: string;
  type: string;
  result: string | null;
  parts: string;
  created_at: number;
  used_at: number;
}

/** Runs `work` in one transaction; what it throws rolls the transaction back and goes to `fail`. */
export type InTransaction = <T>(what: string, work: () => T) => T;

/**
 * The result cache in the history file's `cache_*` tables (see historySchema.ts): an entry per
 * cache key, its outputs, and each distinct output content once. A content is removed when no
 * entry refers to it any more (an entry replaced, or pruned).
 *
 * @example
 * const cache = sqliteResultCache(db, inTransaction);
 * cache.get('9f2c…', Date.now());
 */
export function sqliteResultCache(db: SqlDatabase, inTransaction: InTransaction): ResultCache & { writeTouches(): void } {
  const selectEntry = db.prepare('SELECT key, task, type, result, parts, created_at, used_at FROM cache_entries WHERE key = ?');
  const touchEntry = db.prepare('UPDATE cache_entries SET used_at = ? WHERE key = ?');
  const selectOutputs = db.prepare('SELECT path, hash, size, mode FROM cache_outputs WHERE key = ? ORDER BY path');
  const upsertEntry = db.prepare('INSERT OR REPLACE INTO cache_entries (key, task, type, result, result_bytes, parts, created_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const selectLatest = db.prepare('SELECT parts FROM cache_entries WHERE task = ? ORDER BY created_at DESC LIMIT 1');
  const deleteOutputs = db.prepare('DELETE FROM cache_outputs WHERE key = ?');
  const insertOutput = db.prepare('INSERT INTO cache_outputs (key, path, hash, size, mode) VALUES (?, ?, ?, ?, ?)');
  const hasContent = db.prepare('SELECT 1 AS found FROM cache_contents WHERE hash = ?');
  const insertContent = db.prepare('INSERT OR IGNORE INTO cache_contents (hash, size, content) VALUES (?, ?, ?)');
  const selectContent = db.prepare('SELECT content FROM cache_contents WHERE hash = ?');
  const deleteEntry = db.prepare('DELETE FROM cache_entries WHERE key = ?');
  const removeOrphans = db.prepare('DELETE FROM cache_contents WHERE hash NOT IN (SELECT hash FROM cache_outputs)');

  /**
   * Uses waiting to be written: a hit marks its entry used without a transaction of its own; the
   * hits of one tick (a batch admitted at once) share one, written in a microtask (or before
   * anything that reads or changes the entries). Lost in a crash, they only make a prune by age
   * see those entries as older than they are.
   */
  const touched = new Map<string, number>();
  const writeTouches = (): void => {
    if (touched.size === 0) return;
    const pending = [...touched];
    touched.clear();
    inTransaction('marking cache entries used', () => {
      for (const [key, at] of pending) touchEntry.run(at, key);
    });
  };
  const touch = (key: string, at: number): void => {
    if (touched.size === 0) queueMicrotask(() => writeTouchesQuietly());
    touched.set(key, at);
  };
  /** From the microtask there is no caller to throw to: a failed write of uses is dropped (they only order prunes). */
  const writeTouchesQuietly = (): void => {
    try {
      writeTouches();
    } catch {
      // see above
    }
  };

  /** Removes what no entry refers to: the contents of outputs that are gone. */
  const collect = (): { contents: number; bytes: number } => {
    const before = db.prepare('SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM cache_contents').get() as { n: number; bytes: number };
    removeOrphans.run();
    const after = db.prepare('SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM cache_contents').get() as { n: number; bytes: number };
    return { contents: before.n - after.n, bytes: before.bytes - after.bytes };
  };
  const totals = (): { entries: number; contents: number; bytes: number } => {
    const entries = db.prepare('SELECT count(*) AS n, coalesce(sum(result_bytes), 0) AS bytes FROM cache_entries').get() as { n: number; bytes: number };
    const contents = db.prepare('SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM cache_contents').get() as { n: number; bytes: number };
    return { entries: entries.n, contents: contents.n, bytes: entries.bytes + contents.bytes };
  };
  /** Removes entries (oldest use first), their outputs, and then what nothing refers to. */
  const remove = (keys: readonly string[]): number => {
    let bytes = 0;
    for (const key of keys) {
      bytes += (db.prepare('SELECT result_bytes AS n FROM cache_entries WHERE key = ?').get(key) as { n: number } | undefined)?.n ?? 0;
      deleteEntry.run(key);
      deleteOutputs.run(key);
    }
    return bytes;
  };

  return {
    writeTouches,
    get(key, at) {
      const row = selectEntry.get(key) as EntryRow | undefined;
      if (row === undefined) return undefined;
      touch(key, at);
      const entry: CacheEntry = {
        key: row.key,
        task: row.task,
        type: row.type,
        result: row.result === null ? undefined : JSON.parse(row.result),
        outputs: selectOutputs.all(key) as CachedOutput[],
        createdAt: row.created_at,
        usedAt: at,
        parts: JSON.parse(row.parts),
      };
      return entry;
    },
    put(entry: CachePut) {
      const result = entry.result === undefined ? null : toJson(entry.result);
      writeTouches();
      inTransaction(`storing the result of task "${entry.task}"`, () => {
        const before = selectOutputs.all(entry.key) as CachedOutput[];
        upsertEntry.run(entry.key, entry.task, entry.type, result, result === null ? 0 : Buffer.byteLength(result), toJson(entry.parts), entry.at, entry.at);
        deleteOutputs.run(entry.key);
        for (const output of entry.outputs) {
          insertOutput.run(entry.key, output.path, output.hash, output.size, output.mode);
          const content = entry.contents.get(output.hash);
          if (content !== undefined) insertContent.run(output.hash, content.byteLength, content);
          else if (hasContent.get(output.hash) === undefined) throw new Error(`the content of output "${output.path}" (${output.hash}) was not given and is not in the history`);
        }
        if (before.length > 0) collect();
      });
    },
    latestParts(task) {
      const row = selectLatest.get(task) as { parts: string } | undefined;
      return row === undefined ? undefined : JSON.parse(row.parts);
    },
    content(hash) {
      const row = selectContent.get(hash) as { content: Uint8Array } | undefined;
      return row?.content;
    },
    list() {
      writeTouches();
      const rows = db
        .prepare(
          `SELECT e.key AS key, e.task AS task, e.type AS type, e.created_at AS createdAt, e.used_at AS usedAt,
             (SELECT count(*) FROM cache_outputs o WHERE o.key = e.key) AS outputs,
             e.result_bytes + (SELECT coalesce(sum(o.size), 0) FROM cache_outputs o WHERE o.key = e.key) AS bytes
           FROM cache_entries e ORDER BY e.used_at DESC, e.key`,
        )
        .all() as CacheEntrySummary[];
      return rows.map((row) => ({ ...row }));
    },
    totals,
    prune(options: PruneOptions): PruneResult {
      writeTouches();
      return inTransaction('pruning the cache', () => {
        let entries = 0;
        let bytes = 0;
        if (options.usedBefore !== undefined) {
          const old = (db.prepare('SELECT key FROM cache_entries WHERE used_at < ? ORDER BY used_at').all(options.usedBefore) as { key: string }[]).map((row) => row.key);
          bytes += remove(old);
          entries += old.length;
        }
        let freed = collect();
        let contents = freed.contents;
        bytes += freed.bytes;
        if (options.maxBytes !== undefined) {
          const oldestFirst = (db.prepare('SELECT key FROM cache_entries ORDER BY used_at, key').all() as { key: string }[]).map((row) => row.key);
          // Drop the least recently used until what is left fits; the newest are kept.
          for (const key of oldestFirst) {
            if (totals().bytes <= options.maxBytes) break;
            bytes += remove([key]);
            entries++;
            freed = collect();
            contents += freed.contents;
            bytes += freed.bytes;
          }
        }
        return { entries, contents, bytes };
      });
    },
  };
}
