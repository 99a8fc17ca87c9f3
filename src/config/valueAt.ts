import type { KeyPath } from './parseYamlSource.js';

/**
 * The value at a key path inside plain data, or undefined when the path does not exist.
 *
 * @example
 * ```ts
 * valueAt({ a: [{ b: 1 }] }, ['a', 0, 'b']); // 1
 * ```
 */
export function valueAt(data: unknown, path: KeyPath): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
