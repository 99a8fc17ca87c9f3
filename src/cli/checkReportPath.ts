import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';

function refuse(expected: string, found: string): ConfigurationError {
  return new ConfigurationError([{ file: '<command line>', path: '--report', line: undefined, expected, found }]);
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/**
 * Refuses, before anything runs, a `--report` path the report could not be written to at the
 * end: a directory, an existing file that is not writable, or a file in a folder that is missing
 * or not writable. A write that fails later anyway (a full disk) is reported by
 * {@link writeReportFile}.
 *
 * @throws ConfigurationError naming `--report`, what was expected and what was found
 * @example
 * checkReportPath(flags.report); // before the scheduler starts
 */
export function checkReportPath(path: string | undefined): void {
  if (path === undefined) return;
  if (path.endsWith('/')) throw refuse('a file', `${path} (a folder's path)`);
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw refuse('a file', `${path} (a directory)`);
  if (existing !== undefined) {
    try {
      accessSync(path, constants.W_OK);
    } catch (error) {
      throw refuse('a writable file', `${path} (${errorCode(error)})`);
    }
    return;
  }
  const folder = dirname(resolve(path));
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw refuse('a file in a writable folder', `${path} (${folder}: ${errorCode(error)})`);
  }
}
