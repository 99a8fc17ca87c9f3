import { HistoryError } from '../../errors.js';
import type { SqlDatabase } from './openDatabase.js';
import { isBusy, isCorrupt, rollback } from './storeSchema.js';

/** What `meta.format` holds in every xeno-scheduler history file. */
export const HISTORY_FORMAT = 'xeno-scheduler history';

/**
 * One step of the history's schema: the SQL that brings a file from `version - 1` to `version`.
 * Each feature that keeps something in the history adds its tables in a step of its own, at the
 * end of {@link HISTORY_MIGRATIONS}: a file is brought up step by step when a newer xeno-scheduler
 * opens it, and an older one refuses a file whose version it does not know.
 */
export interface HistoryMigration {
  readonly version: number;
  /** Whose tables these are, for people reading the file. */
  readonly feature: string;
  readonly sql: string;
}

/**
 * The history's schema, step by step. Version 1: `meta`, and the result cache (incremental runs):
 * entries by cache key, their output files, and the outputs' contents, each kept once.
 * (docs/incremental-runs.md explains each column.) Version 2: the learned estimates' usage
 * statistics, a row per task (name + what it runs) and per type (docs/learned-estimates.md).
 */
export const HISTORY_MIGRATIONS: readonly HistoryMigration[] = [
  {
    version: 1,
    feature: 'result cache',
    sql: `
CREATE TABLE cache_entries (key TEXT PRIMARY KEY, task TEXT NOT NULL, type TEXT NOT NULL, result TEXT, result_bytes INTEGER NOT NULL, parts TEXT NOT NULL, created_at REAL NOT NULL, used_at REAL NOT NULL) WITHOUT ROWID;
CREATE INDEX cache_entries_used ON cache_entries (used_at);
CREATE INDEX cache_entries_task ON cache_entries (task, created_at);
CREATE TABLE cache_outputs (key TEXT NOT NULL, path TEXT NOT NULL, hash TEXT NOT NULL, size INTEGER NOT NULL, mode INTEGER NOT NULL, PRIMARY KEY (key, path)) WITHOUT ROWID;
CREATE INDEX cache_outputs_hash ON cache_outputs (hash);
CREATE TABLE cache_contents (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, content BLOB NOT NULL);
`,
  },
  {
    version: 2,
    feature: 'learned estimates',
    sql: `
CREATE TABLE usage_stats (kind TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, runs TEXT NOT NULL, stats TEXT NOT NULL, updated_at REAL NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
`,
  },
];

/** The schema version this xeno-scheduler writes, and the newest it reads: the last step's. */
export const HISTORY_SCHEMA_VERSION = HISTORY_MIGRATIONS.at(-1)?.version ?? 0;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What SQLite's error on opening a history means: held by another run, damaged, or `otherwise`. */
export function historyOpenError(file: string, error: unknown, otherwise: string): HistoryError {
  if (isBusy(error)) return new HistoryError(file, 'is in use by another run (another process holds it for writing); wait for it to end, or give this run another --history file', { cause: error });
  if (isCorrupt(error)) return new HistoryError(file, `is damaged (${describe(error)}); it was left as it is`, { cause: error });
  return new HistoryError(file, `${otherwise}: ${describe(error)}`, { cause: error });
}

/**
 * Takes the history file for this process (exclusive locking: another process that opens it
 * fails at once, and is told so) and checks it is a history this version can read: a new (empty)
 * file gets every table; an older one is brought up to {@link HISTORY_SCHEMA_VERSION}. Nothing is
 * written to a file that is not a history of ours, is damaged, or is of a newer version.
 *
 * @returns the schema version the file had before (0 for a new file)
 * @throws HistoryError naming the file
 * @example
 * prepareHistorySchema(openDatabase('h.db'), 'h.db');
 */
export function prepareHistorySchema(db: SqlDatabase, file: string): number {
  db.exec('PRAGMA locking_mode = EXCLUSIVE');
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    throw historyOpenError(file, error, 'cannot be opened');
  }
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name);
    let version = 0;
    if (tables.length === 0) {
      db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
      const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      insert.run('format', HISTORY_FORMAT);
      insert.run('version', '0');
      insert.run('created', new Date().toISOString());
    } else {
      version = checkHistoryMeta(db, file, tables);
    }
    for (const step of HISTORY_MIGRATIONS) {
      if (step.version > version) db.exec(step.sql);
    }
    if (version < HISTORY_SCHEMA_VERSION) db.prepare("UPDATE meta SET value = ? WHERE key = 'version'").run(String(HISTORY_SCHEMA_VERSION));
    db.exec('COMMIT');
    return version;
  } catch (error) {
    rollback(db);
    if (error instanceof HistoryError) throw error;
    throw historyOpenError(file, error, 'cannot be read as a history');
  }
}

/** The file's schema version, after checking it is a history of ours, of a version we read, and whole. */
function checkHistoryMeta(db: SqlDatabase, file: string, tables: readonly string[]): number {
  const format = tables.includes('meta') ? (db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | undefined) : undefined;
  if (format?.value !== HISTORY_FORMAT) {
    const what = format?.value === undefined ? 'an SQLite database of another program' : `a ${format.value} file`;
    throw new HistoryError(file, `is ${what} (tables: ${tables.join(', ')}), not a xeno-scheduler history; it was left as it is`);
  }
  const row = db.prepare("SELECT value FROM meta WHERE key = 'version'").get() as { value: string } | undefined;
  const version = Number(row?.value);
  if (!Number.isInteger(version) || version < 0) throw new HistoryError(file, `has no valid schema version (found ${String(row?.value)}); it was left as it is`);
  if (version > HISTORY_SCHEMA_VERSION) {
    throw new HistoryError(file, `was written by a newer xeno-scheduler (history version ${version}; this one reads up to ${HISTORY_SCHEMA_VERSION}); it was left as it is`);
  }
  const [check] = db.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
  if (check?.quick_check !== 'ok') throw new HistoryError(file, `is damaged (${check?.quick_check ?? 'no answer'}); it was left as it is`);
  return version;
}
