import { accessSync, closeSync, constants, openSync, readlinkSync, realpathSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';

/** A file the command reads or keeps (the workload, its configuration, the `--state` store), which an output must not overwrite. */
export interface ProtectedFile {
  /** What the file is to the user, e.g. `the workload` or `the --state file`. */
  readonly role: string;
  readonly path: string;
}

function refuse(flag: string, expected: string, found: string): ConfigurationError {
  return new ConfigurationError([{ file: '<command line>', path: flag, line: undefined, expected, found }]);
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/**
 * The path with its links resolved as far as they exist: a link to a file not made yet resolves
 * to where that file will be, and a missing file's folder still resolves.
 */
function realPath(path: string, hops = 0): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    // A dangling link (or a loop, given up after 40 hops as the system does).
    if (hops < 40) {
      try {
        return realPath(resolve(dirname(absolute), readlinkSync(absolute)), hops + 1);
      } catch {
        // Not a link.
      }
    }
    try {
      return resolve(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

/** Whether `path` (with `stats`, if it exists) is the same file as `other`: same device and inode, or the same real path. */
function isSameFile(path: string, stats: Stats | undefined, other: string): boolean {
  const otherStats = statSync(other, { throwIfNoEntry: false });
  if (stats !== undefined && otherStats !== undefined) return stats.dev === otherStats.dev && stats.ino === otherStats.ino;
  return realPath(path) === realPath(other);
}

/**
 * Writes nothing to a device or pipe that exists, which fails as a write of the output would:
 * `/dev/full` (ENOSPC), a pipe nobody reads (ENXIO, not a wait for a reader). `/dev/null` passes.
 */
function probeWrite(path: string, flag: string): void {
  try {
    const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NONBLOCK);
    try {
      writeSync(fd, Buffer.alloc(0));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw refuse(flag, 'a file the output could be written to', `${path} (${errorCode(error)})`);
  }
}

/**
 * Refuses, before anything runs, an output path (`--report`, and `simulate`'s `--trace` and
 * `--svg`) the file could not be written to at the end: a directory, an existing file that is not
 * writable, or a file in a folder that is missing or not writable; and one that is a file the
 * command reads or keeps (`protect`: the workload, its configuration, the `--state` store), which
 * writing would destroy; and a device or pipe a write fails on (`/dev/full`). Files are compared
 * by device and inode where they exist, else by their real paths. A write that fails later anyway (a full disk) is reported by {@link writeReportFile}.
 *
 * @param flag the flag that named the path, e.g. `--report`
 * @throws ConfigurationError naming the flag, what was expected and what was found
 * @example
 * checkReportPath(flags.report, '--report', [{ role: 'the workload', path: file }]); // before the scheduler starts
 */
export function checkReportPath(path: string | undefined, flag = '--report', protect: readonly ProtectedFile[] = []): void {
  if (path === undefined) return;
  if (path.endsWith('/')) throw refuse(flag, 'a file', `${path} (a folder's path)`);
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw refuse(flag, 'a file', `${path} (a directory)`);
  const clash = protect.find((file) => isSameFile(path, existing, file.path));
  if (clash !== undefined) {
    throw refuse(flag, `a file other than ${clash.role} (${clash.path}), which writing it would overwrite`, `${path}, which is ${clash.role}`);
  }
  if (existing !== undefined) {
    try {
      accessSync(path, constants.W_OK);
    } catch (error) {
      throw refuse(flag, 'a writable file', `${path} (${errorCode(error)})`);
    }
    if (!existing.isFile()) probeWrite(path, flag);
    return;
  }
  const folder = dirname(resolve(path));
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw refuse(flag, 'a file in a writable folder', `${path} (${folder}: ${errorCode(error)})`);
  }
}
