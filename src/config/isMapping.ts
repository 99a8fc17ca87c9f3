/**
 * Whether a parsed YAML or JSON value is a mapping (a plain object, not a list or null).
 *
 * @example
 * isMapping(parse('a: 1')); // true
 */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
