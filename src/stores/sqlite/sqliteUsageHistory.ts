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

/**
 * The learned usage in the history file's `usage_stats` table (see historySchema.ts): one row per
 * task and per type, its statistics as JSON text.
 *
 * @example
 * const usage = sqliteUsageHistory(db, inTransaction);
 * usage.list(); // [{ kind: 'task', key: 'prove\u0000z3 a.smt', … }]
 */
export function sqliteUsageHistory(db: SqlDatabase, inTransaction: InTransaction): UsageHistory {
  const selectAll = db.prepare('SELECT kind, key, name, type, runs, stats, updated_at FROM usage_stats ORDER BY kind, key');
  const countOlder = db.prepare('SELECT count(*) AS n FROM usage_stats WHERE updated_at < ?');
  const deleteOlder = db.prepare('DELETE FROM usage_stats WHERE updated_at < ?');
  const upsert = db.prepare('INSERT OR REPLACE INTO usage_stats (kind, key, name, type, runs, stats, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  return {
    list() {
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
      inTransaction(`storing the usage of ${row.kind} "${row.kind === 'task' ? row.name : row.type}"`, () =>
        upsert.run(row.kind, row.key, row.name, row.type, row.runs, JSON.stringify(row.stats), row.updatedAt),
      );
    },
    prune(updatedBefore) {
      return inTransaction('pruning the learned usage', () => {
        // Counted first: the two drivers report changes differently.
        const { n } = countOlder.get(updatedBefore) as { n: number };
        deleteOlder.run(updatedBefore);
        return Number(n);
      });
    },
  };
}
