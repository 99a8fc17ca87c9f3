import { readFileSync } from 'node:fs';
import { ConfigurationError, type ConfigIssue } from '../errors.js';

/**
 * Reads a UTF-8 file, turning a failure (missing file, no permission) into a
 * {@link ConfigurationError}: by default one that names the file, or the issue `failure` makes of
 * the reason (for a file referred to from another one).
 *
 * @example
 * ```ts
 * const text = readTextFile('config/default.yaml');
 * ```
 */
export function readTextFile(
  path: string,
  failure: (reason: string) => ConfigIssue = (reason) => ({ file: path, path: '', line: undefined, expected: 'a readable file', found: reason }),
): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigurationError([failure(reason)]);
  }
}
