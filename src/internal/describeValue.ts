/**
 * Describes a value for an error message: its JSON and its type, e.g. `-1 (number)`.
 *
 * @example
 * describeValue('4'); // '"4" (string)'
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return `${String(value)} (symbol)`;
  if (typeof value === 'bigint') return `${value}n (bigint)`;
  try {
    return `${JSON.stringify(value)} (${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value})`;
  } catch {
    return typeof value;
  }
}
