import type { UsageHistory, UsageHistoryRow } from '../../history/RunHistory.js';
import type { SqlDatabase } from './openDatabase.js';
import type { InTransaction } from './sqliteResultCache.js';

interface Row {
  kind: string;
  key: string;
  name: string;
  type: string;
  runs: string;
  stats: string;
  updated_at: number;
}

/** The SQLite usage section, and what its history needs of it when it closes. */
export interface SqliteUsageHistory extends UsageHistory {
  /**
   * Writes the pending rows now; then throws a failure of a deferred write that no `put` has
   * thrown yet (the history's `close` calls it, so that nothing learned is lost unsaid).
   */
  writePending(): void;
}

/**
 * The learned usage in the history file's `usage_stats` table (see historySchema.ts): one row per
 * task and per type, its statistics as JSON text.
 *
 * A `put` is not written at once: the rows put within one turn of the event loop are written
 * together in one transaction (in a `setImmediate`), each once with what it was last given (an
 * attempt's end puts its task's row and its type's, and the type's changes on every attempt).
 * `list`, `prune` and the history's `close` write what is pending first. A deferred write that
 * fails has no caller: its rows stay pending (written by the next write that succeeds), and its
 * error is thrown by the next `put` (the scheduler reports it as an `error` event) or else by
 * `writePending` (the history's `close`); each failure once.
 *
 * @example
 * const usage = sqliteUsageHistory(db, inTransaction, checkOpen);
 * usage.list(); // [{ kind: 'task', key: 'prove\u0000z3 a.smt', … }]
 */
export function sqliteUsageHistory(db: SqlDatabase, inTransaction: InTransaction, checkOpen: () => void): SqliteUsageHistory {
  const selectAll = db.prepare('SELECT kind, key, name, type, runs, stats, updated_at FROM usage_stats ORDER BY kind, key');
  const countOlder = db.prepare('SELECT count(*) AS n FROM usage_stats WHERE updated_at < ?');
  const deleteOlder = db.prepare('DELETE FROM usage_stats WHERE updated_at < ?');
  const upsert = db.prepare('INSERT OR REPLACE INTO usage_stats (kind, key, name, type, runs, stats, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  /** Rows put and not written yet, by kind and key: the last given of each. */
  const pending = new Map<string, UsageHistoryRow>();
  let scheduled: NodeJS.Immediate | undefined;
  /** A deferred write's failure that nothing has thrown yet. */
  let failure: unknown;
  const write = (): void => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    if (pending.size === 0) return;
    const rows = [...pending.values()];
    pending.clear();
    try {
      inTransaction(rows.length === 1 ? `storing the usage of ${describe(rows[0] as UsageHistoryRow)}` : `storing the usage of ${rows.length} tasks and types`, () => {
        for (const row of rows) upsert.run(row.kind, row.key, row.name, row.type, row.runs, JSON.stringify(row.stats), row.updatedAt);
      });
    } catch (error) {
      // Kept to be written by the next write that succeeds, unless a newer row replaced one meanwhile.
      for (const row of rows) {
        const key = keyOf(row);
        if (!pending.has(key)) pending.set(key, row);
      }
      throw error;
    }
  };
  /** From the `setImmediate` there is no caller: the failure is kept for the next `put` or `writePending`. */
  const writeDeferred = (): void => {
    scheduled = undefined;
    try {
      write();
    } catch (error) {
      failure ??= error;
    }
  };
  const throwFailure = (): void => {
    if (failure === undefined) return;
    const error = failure;
    failure = undefined;
    throw error;
  };
  return {
    writePending() {
      try {
        write();
      } catch (error) {
        failure ??= error;
      }
      throwFailure();
    },
    list() {
      write();
      return (selectAll.all() as unknown as Row[]).map((row): UsageHistoryRow => {
        let stats: unknown;
        try {
          stats = JSON.parse(row.stats);
        } catch {
          // Kept as text: the reader refuses it by name (see learnedFromHistory).
          stats = row.stats;
        }
        return { kind: row.kind === 'type' ? 'type' : 'task', key: row.key, name: row.name, type: row.type, runs: row.runs, stats, updatedAt: row.updated_at };
      });
    },
    put(row) {
      // A put after close is refused at once, as a write was before puts were deferred.
      checkOpen();
      pending.set(keyOf(row), row);
      scheduled ??= setImmediate(writeDeferred);
      throwFailure();
    },
    prune(updatedBefore) {
      write();
      return inTransaction('pruning the learned usage', () => {
        // Counted first: the two drivers report changes differently.
        const { n } = countOlder.get(updatedBefore) as { n: number };
        deleteOlder.run(updatedBefore);
        return Number(n);
      });
    },
  };
}

/** A row's place in the table (its primary key). */
function keyOf(row: UsageHistoryRow): string {
  return `${row.kind}\u0000${row.key}`;
}

function describe(row: UsageHistoryRow): string {
  return `${row.kind} "${row.kind === 'task' ? row.name : row.type}"`;
}
