import { createRequire } from 'node:module';

/** A prepared statement, as both SQLite drivers offer it. */
export interface SqlStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** better-sqlite3: rows as arrays (faster to read in bulk); absent from node:sqlite. */
  raw?(toggle?: boolean): SqlStatement;
}

/** The few calls the store makes on a database: the common ground of both drivers. */
export interface SqlDatabase {
  /** Which driver opened it: `node:sqlite` or `better-sqlite3`. */
  readonly driver: SqliteDriverName;
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  close(): void;
}

/** The two drivers the store runs on. */
export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /**
   * Open with SQLITE_OPEN_READONLY: SQLite writes nothing to the file, and a last connection that
   * closes does not checkpoint the WAL into it.
   * @default false
   */
  readonly readOnly?: boolean;
}

type Connection = Omit<SqlDatabase, 'driver'>;
interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { timeout?: number; readOnly?: boolean }) => Connection;
}
type BetterSqlite3 = new (path: string, options?: { timeout?: number; readonly?: boolean; fileMustExist?: boolean }) => Connection;

/** Loads a package or built-in module by name, synchronously (`require`, or a test's stand-in). */
export type ModuleLoader = (name: string) => unknown;

const require = createRequire(import.meta.url);

/**
 * Whether this Node has `node:sqlite` without a flag: 22.13+ on 22, 23.4+ on 23, every later
 * major. Node 20 has none.
 *
 * @example
 * hasNodeSqlite('24.1.0'); // true
 * hasNodeSqlite('20.19.0'); // false
 */
export function hasNodeSqlite(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major === 22) return minor >= 13;
  if (major === 23) return minor >= 4;
  return major >= 24;
}

/** The driver this Node uses: `node:sqlite` where it has one, else `better-sqlite3`. */
export function sqliteDriverName(version = process.versions.node): SqliteDriverName {
  return hasNodeSqlite(version) ? 'node:sqlite' : 'better-sqlite3';
}

function isMissing(error: unknown, name: string): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && typeof message === 'string' && message.includes(name);
}

/**
 * Opens an SQLite file with `node:sqlite` where the running Node has it (22.13+; Node 24 is the
 * target), else with better-sqlite3 (Node 20), which is then loaded on this first open and never
 * before: nothing else of xeno-scheduler loads a driver, and under a Node with `node:sqlite` no
 * path loads better-sqlite3 at all (its binary may be built for another Node). Busy waits are
 * off: a file another process holds fails at once.
 *
 * @throws Error naming `better-sqlite3` and how to get it, when this Node needs it and it is not installed
 * @example
 * const db = openDatabase('/tmp/run.db');
 * db.exec('PRAGMA journal_mode = WAL');
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}, load: ModuleLoader = require, version = process.versions.node): SqlDatabase {
  const readOnly = options.readOnly === true;
  if (hasNodeSqlite(version)) {
    const { DatabaseSync } = load('node:sqlite') as NodeSqliteModule;
    return Object.assign(new DatabaseSync(path, { timeout: 0, readOnly }), { driver: 'node:sqlite' as const });
  }
  let Database: BetterSqlite3;
  try {
    Database = load('better-sqlite3') as BetterSqlite3;
  } catch (error) {
    if (!isMissing(error, 'better-sqlite3')) throw error;
    throw new Error(
      `the SQLite store needs the package better-sqlite3 on Node ${version} (node:sqlite arrived in Node 22.13): ` +
        'install it with `npm install better-sqlite3`, or run on Node 22.13 or later',
      { cause: error },
    );
  }
  return Object.assign(new Database(path, { timeout: 0, readonly: readOnly, fileMustExist: readOnly }), { driver: 'better-sqlite3' as const });
}
