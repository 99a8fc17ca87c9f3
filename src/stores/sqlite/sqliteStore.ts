import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { errorCodeOf, TaskStoreError } from '../../errors.js';
import { foldTransition, initialTaskState } from '../memoryTaskStore.js';
import type { StoredTask, StoredTaskState, TaskStore, TaskTransition } from '../../core/TaskStore.js';
import { checkStoreFile } from './checkStoreFile.js';
import { openDatabase, type SqlDatabase, type SqlStatement } from './openDatabase.js';
import { fromSpecRow, toSpecRow } from './specRow.js';
import { OPEN_RUN_KEY, prepareSchema, readRunId } from './storeSchema.js';
import { appendTransitionRow, fromTransitionRow, type TransitionRow } from './transitionRow.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A {@link TaskStore} in an SQLite file: what `sqliteStore` returns. */
export interface SqliteTaskStore extends TaskStore {
  /** The file, as given. */
  readonly file: string;
  /** Which driver opened it: `node:sqlite` or `better-sqlite3`. */
  readonly driver: string;
  /** Writes the transitions recorded so far in one transaction. */
  commit(): void;
  /** Transitions recorded and not yet committed. */
  readonly uncommitted: number;
  /** Commits what is left and releases the file (another process may open it then). */
  close(): void;
  /** Opens of this file before this one (0 for a new store): how often the run was resumed. */
  readonly sessions: number;
  /**
   * The run's id, made when the store was created and kept in it: the same after every restart,
   * new after the file is removed (`--fresh`). Give it to `bullmqExecutor({ runId })` so that a
   * restarted coordinator finds the jobs of the attempts that were running. Empty for a store
   * written before run ids existed and opened read-only.
   */
  readonly runId: string;
  /**
   * A note the application keeps beside the run under `name` (the CLI keeps what each task
   * runs, to refuse a resumed run whose commands changed), or undefined.
   */
  readNote(name: string): string | undefined;
  /** Keeps a note under `name`, committed at once with what is buffered. */
  writeNote(name: string, value: string): void;
  /**
   * Every task's state as the file holds it (committed transactions only, nothing buffered),
   * writing nothing: what is durable, read after a write failed (a full disk).
   */
  loadCommitted(): StoredTaskState[];
}

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * `NORMAL` survives a kill of the process (a committed transaction is in the WAL file);
   * `FULL` also survives an OS crash or a power loss, at about half the write speed.
   * @default 'NORMAL'
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /**
   * Open an existing store to read it only (`xeno-scheduler status`): nothing is created or
   * written, and `addTasks`/`record` throw.
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * Open a store whose last run did not close it and whose WAL file is gone, reading what its
   * main file holds, instead of refusing it. `run --fresh` uses it (it discards the run anyway).
   * @default false
   */
  readonly acceptLostWal?: boolean;
}

/** Notes live in the meta table under this prefix, apart from the store's own keys. */
const NOTE_PREFIX = 'note:';

/** Uncommitted transitions past which `record` commits by itself, so memory stays bounded. */
const MAX_UNCOMMITTED = 4096;

/** Rows one INSERT writes at most: a call into SQLite per chunk, not per row. */
const ROWS_PER_INSERT = 32;

/** The columns of a transition row (see {@link TransitionRow}). */
const TRANSITION_WIDTH = 5;

/**
 * A durable {@link TaskStore}: one SQLite file in WAL mode, held by this process alone until
 * {@link SqliteTaskStore.close} (or the process ends). Tasks are written once when accepted;
 * every transition is appended, so the file is the run's whole history and `load` folds it back.
 * A file that is not a store of ours, is damaged, is of a newer schema or is held by another live
 * process is refused with a {@link TaskStoreError} naming it, and left as it is.
 *
 * @example
 * import { sqliteStore } from 'xeno-scheduler/stores/sqlite';
 * const scheduler = createScheduler({ store: sqliteStore('run.db'), handlers });
 */
export function sqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteTaskStore {
  if (typeof file !== 'string' || file.length === 0) throw new TaskStoreError(String(file), 'expected a file path');
  const readOnly = options.readOnly === true;
  checkStoreFile(file, readOnly);
  // Looked at before SQLite opens the file: a read-write open creates a -wal file.
  const hadWal = existsSync(`${resolve(file)}-wal`);
  const where = readOnly ? readablePlace(file) : { path: resolve(file), discard: () => {} };
  let db: SqlDatabase;
  try {
    db = openDatabase(where.path, { readOnly });
  } catch (error) {
    where.discard();
    throw new TaskStoreError(file, `cannot be opened: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    prepareSchema(db, file, { readOnly, hadWal, acceptLostWal: options.acceptLostWal === true });
    if (!readOnly) {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec(`PRAGMA synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
      // The open-run mark goes into the main file now, not only into the WAL: a WAL lost after a
      // crash is then recognised (see prepareSchema).
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    }
  } catch (error) {
    db.close();
    where.discard();
    if (!hadWal) removeEmptyWal(resolve(file));
    if (error instanceof TaskStoreError) throw error;
    throw new TaskStoreError(file, `cannot be written: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return createSqliteTaskStore(db, file, readOnly, where.discard);
}

/**
 * Removes the empty -wal (and its -shm) that opening a store it then refused made beside it: the
 * folder is left as it was, and a store refused for a lost WAL is refused again next time.
 */
function removeEmptyWal(path: string): void {
  if (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size !== 0) return;
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
}

/**
 * Where a reader opens the store: the file itself, read-only, when its folder is writable (SQLite
 * may create the -shm index there, as every reader does, and writes nothing to the store); in a
 * folder it cannot write (where SQLite could not make that index) a copy of the file and its WAL
 * in a temporary folder, removed when the reader closes.
 */
function readablePlace(file: string): { path: string; discard: () => void } {
  const path = resolve(file);
  try {
    accessSync(dirname(path), constants.W_OK);
    return { path, discard: () => {} };
  } catch {
    const folder = mkdtempSync(join(tmpdir(), 'xeno-store-read-'));
    const copy = join(folder, basename(path));
    copyFileSync(path, copy);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    return { path: copy, discard: () => rmSync(folder, { recursive: true, force: true }) };
  }
}

/** Every row as an array of its columns, the fast way where the driver has one. */
function rows(statement: SqlStatement): unknown[][] {
  if (statement.raw !== undefined) return statement.raw(true).all() as unknown[][];
  return (statement.all() as Record<string, unknown>[]).map((row) => Object.values(row));
}

/**
 * Inserts rows given end to end (`columns.length` values a row) with one statement per
 * {@link ROWS_PER_INSERT} rows, each prepared once for its number of rows: a transaction of a
 * group commit (a few tasks' transitions) or a batch's specs costs a few calls into SQLite, not
 * one a row.
 *
 * @example
 * const insert = rowInserter(db, 'INSERT INTO tasks', ['seq', 'id', 'spec']);
 * insert([0, 'a', '{}', 1, 'b', '{}']); // one statement, two rows
 */
function rowInserter(db: SqlDatabase, head: string, columns: readonly string[]): (values: readonly unknown[]) => void {
  const width = columns.length;
  const row = `(${columns.map(() => '?').join(', ')})`;
  const statements: SqlStatement[] = [];
  const statementFor = (rows: number): SqlStatement =>
    (statements[rows] ??= db.prepare(`${head} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => row).join(', ')}`));
  return (values) => {
    const rows = values.length / width;
    if (rows <= ROWS_PER_INSERT) {
      if (rows > 0) statementFor(rows).run(...values);
      return;
    }
    for (let first = 0; first < rows; first += ROWS_PER_INSERT) {
      const last = Math.min(rows, first + ROWS_PER_INSERT);
      statementFor(last - first).run(...values.slice(first * width, last * width));
    }
  };
}

function createSqliteTaskStore(db: SqlDatabase, file: string, readOnly: boolean, discard: () => void): SqliteTaskStore {
  // A new task may reuse the id of one the scheduler forgot: it replaces that row (its old
  // transitions, under the old number, are then ignored).
  const insertTasks = rowInserter(db, 'INSERT OR REPLACE INTO tasks', ['seq', 'id', 'spec']);
  const insertTransitions = rowInserter(db, 'INSERT INTO transitions', ['seq', 'kind', 'at', 'attempt', 'data']);
  /** Transitions name their task by its number: smaller rows, faster to read back. */
  const seqOf = new Map<string, number>();
  const selectNote = db.prepare('SELECT value FROM meta WHERE key = ?');
  const upsertNote = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  const sessions = (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;
  const runId = readRunId(db) ?? '';
  /** The uncommitted transitions' rows, end to end ({@link TRANSITION_WIDTH} values a row). */
  const buffer: unknown[] = [];
  let isClosed = false;

  const fail = (what: string, error: unknown): never => {
    const code = errorCodeOf(error);
    throw new TaskStoreError(file, `${what} failed${typeof code === 'string' ? ` (${code})` : ''}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  };
  /** Writes the buffered transitions and `also` in one transaction. */
  const write = (also?: () => void): void => {
    if (isClosed) throw new TaskStoreError(file, 'is closed');
    if (readOnly) throw new TaskStoreError(file, 'was opened to read only');
    db.exec('BEGIN');
    try {
      insertTransitions(buffer);
      also?.();
      db.exec('COMMIT');
    } catch (error) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // SQLite rolled back already (SQLITE_FULL, an I/O error end the transaction): the error
        // that matters is the write's, never "cannot rollback - no transaction is active".
      }
      fail('writing', error);
    }
    // Only now: a failed write keeps its rows for the next try.
    buffer.length = 0;
  };

  return {
    file,
    driver: db.driver,
    sessions,
    runId,
    get uncommitted() {
      return buffer.length / TRANSITION_WIDTH;
    },
    addTasks(tasks: readonly StoredTask[]) {
      write(() => {
        // A chunk's specs at a time: a large batch's JSON is never all held at once.
        const chunk: unknown[] = [];
        for (const task of tasks) {
          chunk.push(task.seq, task.id, toSpecRow(task));
          if (chunk.length === ROWS_PER_INSERT * 3) {
            insertTasks(chunk);
            chunk.length = 0;
          }
        }
        insertTasks(chunk);
      });
      for (const task of tasks) seqOf.set(task.id, task.seq);
    },
    record(transition: TaskTransition) {
      const seq = seqOf.get(transition.id);
      if (seq === undefined) return; // not a task of this store
      appendTransitionRow(buffer, seq, transition);
      if (buffer.length >= MAX_UNCOMMITTED * TRANSITION_WIDTH) write();
    },
    commit() {
      if (buffer.length > 0) write();
    },
    // The file keeps finished tasks: they are the run's history, and what a resubmission finds.
    // Only their numbers go: a long run's map would otherwise hold every task it ever had. The
    // scheduler forgets a task once it has ended and records nothing of it after.
    forget(ids: readonly string[]) {
      for (const id of ids) seqOf.delete(id);
    },
    readNote(name: string) {
      const row = selectNote.get(`${NOTE_PREFIX}${name}`) as { value: string } | undefined;
      return row?.value;
    },
    writeNote(name: string, value: string) {
      write(() => upsertNote.run(`${NOTE_PREFIX}${name}`, value));
    },
    load() {
      const states = this.loadCommitted();
      try {
        if (!readOnly) db.prepare('INSERT INTO sessions (opened_at, pid, tasks_found) VALUES (?, ?, ?)').run(Date.now(), process.pid, states.length);
      } catch (error) {
        return fail('reading', error);
      }
      return states;
    },
    loadCommitted() {
      try {
        const states: Mutable<StoredTaskState>[] = [];
        const bySeq = new Map<number, Mutable<StoredTaskState>>();
        for (const [seq, id, spec] of rows(db.prepare('SELECT seq, id, spec FROM tasks ORDER BY seq')) as [number, string, string][]) {
          const state = initialTaskState(fromSpecRow(seq, id, spec)) as Mutable<StoredTaskState>;
          states.push(state);
          bySeq.set(state.task.seq, state);
          seqOf.set(state.task.id, state.task.seq);
        }
        for (const [seq, kind, at, attempt, data] of rows(db.prepare('SELECT seq, kind, at, attempt, data FROM transitions ORDER BY n')) as TransitionRow[]) {
          const state = bySeq.get(seq);
          if (state !== undefined) foldTransition(state, fromTransitionRow(state.task.id, kind, at, attempt, data));
        }
        return states;
      } catch (error) {
        return fail('reading', error);
      }
    },
    close() {
      if (isClosed) return;
      try {
        if (buffer.length > 0) write();
      } finally {
        // Released even when that last write fails (a full disk): the file keeps what was committed.
        // A run that closes the store takes its open-run mark away. Should that fail (a full disk),
        // the mark stays, which is harmless while the WAL it stands for is kept.
        if (!readOnly) {
          try {
            db.prepare('DELETE FROM meta WHERE key = ?').run(OPEN_RUN_KEY);
          } catch {
            // kept: see above
          }
        }
        isClosed = true;
        db.close();
        discard();
      }
    },
  };
}
