/** An error reduced to structured-cloneable fields, to cross a thread boundary intact. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** A string or numeric `code` property, as Node's system errors carry. */
  readonly code: string | number | undefined;
}

/**
 * Keeps what a caller needs from a thrown value: name, message, stack and code. Structured clone
 * alone would turn a custom error class into a plain `Error` named "Error".
 *
 * @example
 * ```ts
 * serializeError(new RangeError('depth must be positive')).name; // 'RangeError'
 * ```
 */
export function serializeError(thrown: unknown): SerializedError {
  if (!(thrown instanceof Error)) {
    return { name: 'Error', message: String(thrown), stack: undefined, code: undefined };
  }
  const code = (thrown as { code?: unknown }).code;
  return {
    name: thrown.name,
    message: thrown.message,
    stack: thrown.stack,
    code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
  };
}

/**
 * Rebuilds an `Error` from {@link serializeError}'s output, keeping the original stack, so the
 * trace points into the module that threw.
 *
 * @example
 * ```ts
 * const error = reviveError(serializeError(new TypeError('bad')));
 * error instanceof Error; // true
 * error.name; // 'TypeError'
 * ```
 */
export function reviveError(serialized: SerializedError): Error {
  const error: Error & { code?: string | number } = new Error(serialized.message);
  error.name = serialized.name;
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  if (serialized.code !== undefined) error.code = serialized.code;
  return error;
}
