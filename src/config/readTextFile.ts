import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors.js';

/**
 * Reads a UTF-8 file, turning a failure (missing file, no permission) into a
 * {@link ConfigurationError} that names the file.
 *
 * @example
 * ```ts
 * const text = readTextFile('config/default.yaml');
 * ```
 */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigurationError([{ file: path, path: '', line: undefined, expected: 'a readable file', found: reason }]);
  }
}
