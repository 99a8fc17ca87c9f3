import { randomUUID } from 'node:crypto';
import { TaskStoreError } from '../../errors.js';
import type { SqlDatabase } from './openDatabase.js';

/**
 * The schema version this xeno-scheduler writes, and the newest it reads. 2: the tables of 1, and
 * transitions may be `active` (kind 7), which a version 1 reader would misread. 3: and `stopped`
 * (kind 8), which a version 2 reader would misread. 4: and `interrupted` (kind 9), which a version 3
 * reader would misread (a task's spec may also hold `maxInterruptions`, which it would ignore).
 * A spec may hold `work` too (what a spawned child of the CLI runs): no new version, as a reader
 * that ignores it refuses to resume such a child, as before, and misreads nothing. 5: a task's
 * spec leaves out its `seq` and `id` (they are columns) and the fields at the row's defaults (see
 * `toSpecRow`), which a version 4 reader would read as missing; this one reads both kinds of row.
 */
export const STORE_SCHEMA_VERSION = 5;

/** What `meta.format` holds in every xeno-scheduler store. */
export const STORE_FORMAT = 'xeno-scheduler task store';

/**
 * The meta key a run sets when it opens a store (checkpointed at once, so it is in the main file)
 * and removes when it closes it: set, with no WAL file beside the store, means the WAL of a run
 * that did not close was lost.
 */
export const OPEN_RUN_KEY = 'open_run';

/** What {@link prepareSchema} needs to know of the store's files besides the database. */
export interface SchemaCheck {
  /** Open to read only: nothing is created or written. */
  readonly readOnly: boolean;
  /** Whether a `-wal` file was beside the store before SQLite opened it. */
  readonly hadWal: boolean;
  /** Open a store whose last run's WAL was lost instead of refusing it (`--fresh` discards it anyway). */
  readonly acceptLostWal: boolean;
}

/** The tables of a store, version 1 (docs/durable-runs.md explains each column). */
const SCHEMA_V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE tasks (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, spec TEXT NOT NULL);
CREATE TABLE transitions (n INTEGER PRIMARY KEY, seq INTEGER NOT NULL, kind INTEGER NOT NULL, at REAL NOT NULL, attempt INTEGER, data TEXT);
CREATE TABLE sessions (n INTEGER PRIMARY KEY, opened_at REAL NOT NULL, pid INTEGER NOT NULL, tasks_found INTEGER NOT NULL);
`;

/** SQLite's answer for a file another connection holds (SQLITE_BUSY, SQLITE_LOCKED). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown; errcode?: unknown }).code;
  const message = error instanceof Error ? error.message : '';
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || /database is locked/i.test(message);
}

/** SQLite's own verdict that the file is not a whole database (SQLITE_CORRUPT, SQLITE_NOTADB). */
export function isCorrupt(error: unknown): boolean {
  return /malformed|corrupt|not a database/i.test(describe(error));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What SQLite's error on opening a store means: held by a live run, damaged, or `otherwise`. */
function openError(file: string, error: unknown, otherwise: string): TaskStoreError {
  if (isBusy(error)) return new TaskStoreError(file, 'is in use by another live process (a run holds it); stop that run first', { cause: error });
  if (isCorrupt(error)) return new TaskStoreError(file, `is damaged (${describe(error)}); it was left as it is`, { cause: error });
  return new TaskStoreError(file, `${otherwise}: ${describe(error)}`, { cause: error });
}

/**
 * Takes the file for this process (exclusive locking: another process that opens it fails at
 * once) and checks it is a store this version can read, creating the tables in an empty file.
 * Nothing is written to a file that is not a store of ours, or of a newer schema.
 *
 * A run marks the store as open (see {@link OPEN_RUN_KEY}); a store so marked whose WAL file is
 * gone is refused unless `acceptLostWal`: what the last run recorded since its last checkpoint
 * is lost, and the store would read as a run that had done less (or nothing) and start over.
 *
 * @throws TaskStoreError naming the file
 * @example
 * prepareSchema(openDatabase('run.db'), 'run.db', { readOnly: false, hadWal: false, acceptLostWal: false });
 */
export function prepareSchema(db: SqlDatabase, file: string, { readOnly, hadWal, acceptLostWal }: SchemaCheck): void {
  // A reader (`status`) shares the file; a run holds it alone.
  if (!readOnly) db.exec('PRAGMA locking_mode = EXCLUSIVE');
  try {
    db.exec(readOnly ? 'BEGIN' : 'BEGIN IMMEDIATE');
  } catch (error) {
    throw openError(file, error, 'cannot be opened');
  }
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name);
    if (tables.length === 0) {
      if (readOnly) throw new TaskStoreError(file, 'holds no tables: no run was stored in it');
      db.exec(SCHEMA_V1);
      const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      insert.run('format', STORE_FORMAT);
      insert.run('version', String(STORE_SCHEMA_VERSION));
      insert.run('created', new Date().toISOString());
      insert.run('run_id', newRunId());
    } else {
      checkMeta(db, file, tables);
      if (!hadWal && !acceptLostWal) checkWalKept(db, file);
      if (!readOnly) {
        // A store written before run ids existed gets one the first time a run opens it.
        db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('run_id', ?)").run(newRunId());
        // This run may write what an older reader would misread: such a reader must refuse it.
        db.prepare("UPDATE meta SET value = ? WHERE key = 'version'").run(String(STORE_SCHEMA_VERSION));
      }
    }
    if (!readOnly) {
      db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(OPEN_RUN_KEY, JSON.stringify({ pid: process.pid, openedAt: new Date().toISOString() }));
    }
    db.exec('COMMIT');
  } catch (error) {
    rollback(db);
    if (error instanceof TaskStoreError) throw error;
    throw openError(file, error, 'cannot be read as a store');
  }
}

/** A new run id: 16 hex digits, usable in a BullMQ job id (no `:`). */
function newRunId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 16);
}

/**
 * The store's run id (`meta.run_id`): made once when the store is created, the same on every
 * later open, new after `--fresh`. A distributed coordinator names its jobs with it, so that a
 * restarted one finds the jobs of the attempts its store says were running.
 *
 * @example
 * readRunId(db); // '3f2a9c0d1b7e4a55'
 */
export function readRunId(db: SqlDatabase): string | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'run_id'").get() as { value: string } | undefined;
  return row?.value;
}

/** Rolls back the open transaction, if SQLite has not ended it already. */
export function rollback(db: SqlDatabase): void {
  try {
    db.exec('ROLLBACK');
  } catch {
    // No transaction left to roll back: SQLite ended it with the error.
  }
}

function checkMeta(db: SqlDatabase, file: string, tables: readonly string[]): void {
  const format = tables.includes('meta') ? (db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | undefined) : undefined;
  if (format?.value !== STORE_FORMAT) {
    throw new TaskStoreError(file, `is an SQLite database of another program (tables: ${tables.join(', ')}), not a xeno-scheduler store; it was left as it is`);
  }
  const row = db.prepare("SELECT value FROM meta WHERE key = 'version'").get() as { value: string } | undefined;
  const version = Number(row?.value);
  if (!Number.isInteger(version) || version < 1) throw new TaskStoreError(file, `has no valid schema version (found ${String(row?.value)})`);
  if (version > STORE_SCHEMA_VERSION) {
    throw new TaskStoreError(
      file,
      `was written by a newer xeno-scheduler (schema version ${version}; this one reads up to ${STORE_SCHEMA_VERSION}); it was left as it is`,
    );
  }
  const [check] = db.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
  if (check?.quick_check !== 'ok') throw new TaskStoreError(file, `is damaged (${check?.quick_check ?? 'no answer'}); it was left as it is`);
}

/** Refuses a store a run left open (it did not close it) whose WAL file is gone. */
function checkWalKept(db: SqlDatabase, file: string): void {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(OPEN_RUN_KEY) as { value: string } | undefined;
  if (row === undefined) return;
  const { pid, openedAt } = JSON.parse(row.value) as { pid?: number; openedAt?: string };
  throw new TaskStoreError(
    file,
    `was left open by a run that did not close it (pid ${String(pid)}, opened at ${String(openedAt)}: a crash or a kill), and its WAL file "${file}-wal" is missing: ` +
      'what that run recorded since its last checkpoint is lost, and the store would read as a run that had done less (or nothing) and run finished tasks again. ' +
      'Put the -wal file back beside it if you still have it; or start over with --fresh (the stored run is discarded). ' +
      'If another SQLite program (the sqlite3 shell) opened the store after the crash, it moved the WAL into the file and nothing is lost: ' +
      `then clear the mark with: sqlite3 ${file} "DELETE FROM meta WHERE key = '${OPEN_RUN_KEY}'"; it was left as it is`,
  );
}
