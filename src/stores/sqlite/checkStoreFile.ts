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
 * A missing or empty file is fine (a new store is created there) unless `mustExist`.
 *
 * @throws TaskStoreError naming the file
 * @example
 * checkStoreFile('run.db');
 */
export function checkStoreFile(file: string, mustExist = false): void {
  const path = resolve(file);
  const folder = statOrUndefined(dirname(path));
  if (folder === undefined) throw new TaskStoreError(file, `the folder "${dirname(path)}" does not exist`);
  if (!folder.isDirectory()) throw new TaskStoreError(file, `"${dirname(path)}" is not a folder`);
  const stats = statOrUndefined(path);
  if (stats?.isDirectory()) throw new TaskStoreError(file, 'is a folder, not a store file');
  if (stats === undefined || stats.size === 0) {
    if (mustExist) throw new TaskStoreError(file, stats === undefined ? 'does not exist' : 'is empty: no run was stored in it');
    return;
  }
  if (!stats.isFile()) throw new TaskStoreError(file, 'is not a regular file');
  const header = readHeader(path);
  if (stats.size < 100 || header.toString('latin1', 0, 16) !== MAGIC) {
    throw new TaskStoreError(file, 'is not an SQLite database (garbage, or a file of another kind); it was left as it is');
  }
  // Nothing more is judged from the header: in WAL mode the file may be shorter than its header
  // says until a checkpoint (the rest is in the -wal file). SQLite's quick_check judges the rest.
}
