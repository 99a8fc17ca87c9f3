import { HistoryError } from '../errors.js';
import type { RunHistory, UsageHistory } from '../history/RunHistory.js';
import { LearnedEstimates, type LearnedEstimatesOptions, type UsageRow } from './LearnedEstimates.js';
import { UsageStats } from './UsageStats.js';

/**
 * The learned estimates a history file holds: every row of its usage section read now, and every
 * row that changes put back (an attempt's end puts its task's row and its type's; the SQLite
 * history writes the rows of one turn together, see sqliteUsageHistory).
 * A row whose statistics cannot be read is refused with a {@link HistoryError} naming the file and
 * the row, and nothing is written. With `frozen`, nothing is ever written (see {@link LearnedEstimatesOptions.frozen}).
 *
 * @example
 * const learned = learnedFromHistory(sqliteHistory('h.db'));
 * learned.estimate({ name: 'prove', runs: 'z3 a.smt', type: 'proof' });
 */
export function learnedFromHistory(
  history: Pick<RunHistory, 'file'> & { readonly usage: UsageHistory },
  options: Omit<LearnedEstimatesOptions, 'onChange'> & { now?: () => number } = {},
): LearnedEstimates {
  const { now = Date.now, ...rest } = options;
  const rows: UsageRow[] = history.usage.list().map((row) => {
    try {
      return { kind: row.kind, key: row.key, name: row.name, type: row.type, runs: row.runs, stats: UsageStats.fromJSON(row.stats) };
    } catch (error) {
      throw new HistoryError(history.file, `its learned usage of ${row.kind} "${row.kind === 'task' ? row.name : row.type}" cannot be read (${(error as Error).message}); the file was left as it is`, { cause: error });
    }
  });
  const learned = new LearnedEstimates({
    ...rest,
    ...(rest.frozen === true
      ? {}
      : {
          onChange: (row: UsageRow) =>
            history.usage.put({ kind: row.kind, key: row.key, name: row.name, type: row.type, runs: row.runs, stats: row.stats.toJSON(), updatedAt: now() }),
        }),
  });
  learned.load(rows);
  return learned;
}
