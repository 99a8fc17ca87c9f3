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
  readonly driver: string;
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  close(): void;
}

interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { timeout?: number }) => Omit<SqlDatabase, 'driver'>;
}
type BetterSqlite3 = new (path: string, options?: { timeout?: number }) => Omit<SqlDatabase, 'driver'>;

const require = createRequire(import.meta.url);

/** node:sqlite where this Node has it (22.13+, 23.4+), else undefined. */
function nodeSqlite(): NodeSqliteModule | undefined {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 13) || (major === 23 && minor < 4)) return undefined;
  try {
    return require('node:sqlite') as NodeSqliteModule;
  } catch {
    return undefined;
  }
}

/**
 * Opens an SQLite file with `node:sqlite` where the running Node has it, else with
 * better-sqlite3 12.x (Node 20 has no `node:sqlite`). Busy waits are off: a file another process
 * holds fails at once. Loaded here only, so nothing else of xeno-scheduler loads a driver.
 *
 * @example
 * const db = openDatabase('/tmp/run.db');
 * db.exec('PRAGMA journal_mode = WAL');
 */
export function openDatabase(path: string): SqlDatabase {
  const builtIn = nodeSqlite();
  if (builtIn !== undefined) {
    const db = new builtIn.DatabaseSync(path, { timeout: 0 });
    return Object.assign(db, { driver: 'node:sqlite' });
  }
  const Database = require('better-sqlite3') as BetterSqlite3;
  const db = new Database(path, { timeout: 0 });
  return Object.assign(db, { driver: 'better-sqlite3' });
}
