import { existsSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorCodeOf, HistoryError } from '../../errors.js';
import type { RunHistory, UsageHistory } from '../../history/RunHistory.js';
import { checkStoreFile } from './checkStoreFile.js';
import { HISTORY_SCHEMA_VERSION, historyOpenError, prepareHistorySchema } from './historySchema.js';
import { openDatabase, type SqlDatabase } from './openDatabase.js';
import { sqliteResultCache, type InTransaction } from './sqliteResultCache.js';
import { sqliteUsageHistory } from './sqliteUsageHistory.js';
import { rollback } from './storeSchema.js';

/** A {@link RunHistory} in an SQLite file: what `sqliteHistory` returns. */
export interface SqliteRunHistory extends RunHistory {
  readonly usage: UsageHistory;
  /** Which driver opened it: `node:sqlite` or `better-sqlite3`. */
  readonly driver: string;
  /** The file's schema version when it was opened (0: it was new); it is now {@link HISTORY_SCHEMA_VERSION}. */
  readonly openedVersion: number;
  /** The file's size in bytes, with its WAL. */
  size(): number;
  /** Rewrites the file without its free pages (after a prune). */
  compact(): void;
}

/** Options of {@link sqliteHistory}. */
export interface SqliteHistoryOptions {
  /**
   * Refuse a file that does not exist instead of creating it (`xeno-scheduler history` reads one).
   * @default false
   */
  readonly mustExist?: boolean;
  /**
   * `NORMAL`: a process kill loses nothing committed; an OS crash may lose the last entries
   * (a cache entry lost is a task that runs again, never a wrong result). `FULL` also survives that.
   * @default 'NORMAL'
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
}

/**
 * The history (what past runs learned) in one SQLite file that outlives runs: the result cache of
 * incremental runs, and whatever other feature keeps its own tables there. One run holds the file
 * at a time (another is refused at once, by name); runs one after the other share it. A file that
 * is garbage, another program's database, damaged or of a newer version is refused with a
 * {@link HistoryError} naming it, and left as it was. Opened with `node:sqlite` where Node has it,
 * better-sqlite3 otherwise (as the task store).
 *
 * @example
 * import { sqliteHistory } from 'xeno-scheduler/stores/sqlite';
 * const scheduler = createScheduler({ history: sqliteHistory('h.db'), handlers });
 */
export function sqliteHistory(file: string, options: SqliteHistoryOptions = {}): SqliteRunHistory {
  if (typeof file !== 'string' || file.length === 0) throw new HistoryError(String(file), 'expected a file path');
  const path = resolve(file);
  checkStoreFile(file, options.mustExist === true, (problem) => new HistoryError(file, problem));
  const hadWal = existsSync(`${path}-wal`);
  const isNew = !existsSync(path);
  let db: SqlDatabase;
  try {
    db = openDatabase(path);
  } catch (error) {
    throw new HistoryError(file, `cannot be opened: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let openedVersion: number;
  try {
    openedVersion = prepareHistorySchema(db, file);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
  } catch (error) {
    db.close();
    // Left as it was: the empty WAL (and the empty file) this open made are taken back.
    if (!hadWal) removeEmpty(`${path}-wal`, `${path}-shm`);
    if (isNew) removeEmpty(path);
    if (error instanceof HistoryError) throw error;
    throw historyOpenError(file, error, 'cannot be written');
  }
  let isClosed = false;
  const checkOpen = (): void => {
    if (isClosed) throw new HistoryError(file, 'is closed');
  };
  const inTransaction: InTransaction = (what, work) => {
    checkOpen();
    db.exec('BEGIN');
    try {
      const value = work();
      db.exec('COMMIT');
      return value;
    } catch (error) {
      rollback(db);
      const code = errorCodeOf(error);
      throw new HistoryError(file, `${what} failed${typeof code === 'string' ? ` (${code})` : ''}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  const cache = sqliteResultCache(db, inTransaction);
  const usage = sqliteUsageHistory(db, inTransaction, checkOpen);
  return {
    file,
    driver: db.driver,
    openedVersion,
    cache,
    usage,
    size: () => (statSync(path, { throwIfNoEntry: false })?.size ?? 0) + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0),
    compact() {
      checkOpen();
      db.exec('VACUUM');
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    },
    close() {
      if (isClosed) return;
      // What is pending is written first; the file is released even when that fails (the error is thrown then).
      try {
        try {
          cache.writeTouches();
        } finally {
          // Last, so that its failure is the one thrown: it says what learning was not kept.
          usage.writePending();
        }
      } finally {
        isClosed = true;
        db.close();
      }
    },
  };
}

/** Removes each file that exists and is empty: what a refused open created. */
function removeEmpty(...paths: string[]): void {
  for (const path of paths) {
    if (statSync(path, { throwIfNoEntry: false })?.size === 0) rmSync(path, { force: true });
  }
}

export { HISTORY_SCHEMA_VERSION };
