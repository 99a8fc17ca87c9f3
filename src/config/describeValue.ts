/**
 * Says what a value from a YAML file is, for the `found` part of a configuration issue.
 *
 * @example
 * ```ts
 * describeValue('four'); // '"four"'
 * describeValue(-1);     // '-1'
 * describeValue([1, 2]); // 'a list'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}
