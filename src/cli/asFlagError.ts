import { ConfigurationError } from '../errors.js';

/** An options error of an API the CLI calls: the option at fault, what was expected and what was given. */
interface OptionsError {
  readonly field: string;
  readonly expected: string;
  readonly received: string;
}

function isOptionsError(error: unknown): error is Error & OptionsError {
  return error instanceof Error && typeof (error as Partial<OptionsError>).field === 'string' && typeof (error as Partial<OptionsError>).expected === 'string';
}

/**
 * Runs `start` (an API call made from command-line flags, such as `startDashboard` or
 * `serveMetrics`) and turns an options error of that API into a ConfigurationError naming the
 * flag the option came from (`port` → `--port`), so the user reads the flag they typed, not the
 * API's option; other errors pass through.
 *
 * @throws ConfigurationError naming the flag, what was expected and what was found
 * @example
 * const dashboard = await asFlagError(() => startDashboard(scheduler, options), { port: '--port', host: '--host', token: '--token' });
 */
export async function asFlagError<T>(start: () => Promise<T>, flags: Readonly<Record<string, string>>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const flag = isOptionsError(error) ? flags[error.field] : undefined;
    if (!isOptionsError(error) || flag === undefined) throw error;
    throw new ConfigurationError([{ file: '<command line>', path: flag, line: undefined, expected: error.expected, found: error.received }]);
  }
}
