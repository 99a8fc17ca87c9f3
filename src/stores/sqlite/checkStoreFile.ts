import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TaskStoreError } from '../../errors.js';

const MAGIC = 'SQLite format 3\0';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function readHeader(path: string): Buffer {
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  return header;
}

/**
 * Checks a store's path before any SQLite call can change the file: its folder exists, it is not
 * a folder, and a file that is there begins as an SQLite database does (not garbage, not a file of
 * another kind). Whether it is whole is SQLite's to say (`PRAGMA quick_check`, in prepareSchema).
 * A missing or empty file is fine (a new store is created there) unless `mustExist`. The history
 * file (`sqliteHistory`) is checked the same way, with its own error (`fail`).
 *
 * @throws TaskStoreError naming the file (or what `fail` makes)
 * @example
 * checkStoreFile('run.db');
 */
export function checkStoreFile(file: string, mustExist = false, fail: (problem: string) => Error = (problem) => new TaskStoreError(file, problem)): void {
  const path = resolve(file);
  const folder = statOrUndefined(dirname(path));
  if (folder === undefined) throw fail(`the folder "${dirname(path)}" does not exist`);
  if (!folder.isDirectory()) throw fail(`"${dirname(path)}" is not a folder`);
  const stats = statOrUndefined(path);
  if (stats?.isDirectory()) throw fail('is a folder, not a file');
  if (stats === undefined || stats.size === 0) {
    if (mustExist) throw fail(stats === undefined ? 'does not exist' : 'is empty');
    return;
  }
  if (!stats.isFile()) throw fail('is not a regular file');
  const header = readHeader(path);
  if (stats.size < 100 || header.toString('latin1', 0, 16) !== MAGIC) {
    throw fail('is not an SQLite database (garbage, or a file of another kind); it was left as it is');
  }
  // Nothing more is judged from the header: in WAL mode the file may be shorter than its header
  // says until a checkpoint (the rest is in the -wal file). SQLite's quick_check judges the rest.
}
