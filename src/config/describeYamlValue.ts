/**
 * Says what a value from a YAML file is, for the `found` part of a configuration issue.
 *
 * @example
 * ```ts
 * describeYamlValue('four'); // '"four"'
 * describeYamlValue(-1);     // '-1'
 * describeYamlValue([1, 2]); // 'a list of 2 items'
 * ```
 */
export function describeYamlValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${countOf(value.length, 'item')}`;
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping';
  return String(value);
}

/**
 * A count with its noun, singular or plural.
 *
 * @example
 * ```ts
 * countOf(1, 'item'); // '1 item'
 * countOf(3, 'item'); // '3 items'
 * ```
 */
export function countOf(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
