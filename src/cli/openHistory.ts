import { resolve } from 'node:path';
import type { XenoConfig } from '../config/configSchema.js';
import { ConfigurationError } from '../errors.js';
import { sqliteHistory, type SqliteRunHistory } from '../stores/sqlite/sqliteHistory.js';

/**
 * The history file a run uses: `--history`, else the `XENO_HISTORY` variable, else the
 * configuration's `scheduler.history`; undefined for none.
 *
 * @example
 * historyFileOf({ history: 'h.db' }, config, process.env); // 'h.db'
 */
export function historyFileOf(flags: { readonly history?: string | undefined }, config: XenoConfig, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env.XENO_HISTORY;
  return flags.history ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv) ?? config.scheduler.history;
}

/**
 * Opens the run's history file, refusing one that is the run's `--state` file (a history and a
 * run's journal are separate files: `--fresh` discards the one, never the other).
 *
 * @throws ConfigurationError for the same file as `--state`; HistoryError naming a file that cannot be used
 * @example
 * const history = openHistory('h.db', flags.state);
 */
export function openHistory(file: string, state: string | undefined): SqliteRunHistory {
  if (state !== undefined && resolve(state) === resolve(file)) {
    throw new ConfigurationError([
      { file: '<command line>', path: '--history', line: undefined, expected: 'a file other than the --state file (the history outlives runs; --fresh discards only the run)', found: `both are "${file}"` },
    ]);
  }
  return sqliteHistory(file);
}
