/**
 * A thrown value as an Error: an Error as it is, a string as its message, anything else named.
 *
 * @example
 * toError('boom').message; // 'boom'
 */
export function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  return new Error(typeof error === 'string' ? error : `non-Error thrown: ${String(error)}`);
}
