import type { CliIo } from './CliIo.js';
import { createProgram } from './createProgram.js';
import { ExitCode } from './ExitCode.js';
import { reportError } from './reportError.js';

/**
 * Runs the `xeno-scheduler` command line on `argv` (as `process.argv`: node, script, arguments)
 * and resolves with the exit code; errors are printed, never thrown.
 *
 * @example
 * process.exitCode = await main(process.argv, processIo);
 */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.OK;
  try {
    await createProgram(io, (code) => (exitCode = code)).parseAsync(argv);
  } catch (error) {
    return reportError(error, io);
  }
  return exitCode;
}
