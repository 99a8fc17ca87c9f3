import { CommanderError } from 'commander';
import { ConfigurationError, formatConfigIssue, SchedulerError } from '../errors.js';
import type { CliIo } from './CliIo.js';
import { commanderIssue } from './commanderIssue.js';
import { escapeControlCharacters } from './escapeControlCharacters.js';
import { ExitCode } from './ExitCode.js';

/** Commander's exits that are not a refusal: help (asked for, or shown for a missing command) and the version. */
const NO_MESSAGE = new Set(['commander.help', 'commander.helpDisplayed', 'commander.version']);

/** File-system failures that mean a path on the command line or in a file was wrong. */
const BAD_PATH_CODES = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EEXIST']);

function isBadPath(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && BAD_PATH_CODES.has((error as NodeJS.ErrnoException).code ?? '');
}

/** Lines of an error, each made safe for a terminal: names in messages come from the user's files. */
function escapeLines(text: string): string {
  return text.split('\n').map(escapeControlCharacters).join('\n');
}

/**
 * Prints an error that ended a command and returns the exit code it stands for. Bad input (a
 * {@link SchedulerError} such as a ConfigurationError, a flag commander refused, a path that
 * cannot be read or written) prints its message only and gives {@link ExitCode.BAD_INPUT};
 * anything else is a bug and prints its stack with {@link ExitCode.FAILED}.
 *
 * @example
 * try { await program.parseAsync(argv); } catch (error) { process.exitCode = reportError(error, processIo); }
 */
export function reportError(error: unknown, io: CliIo): ExitCode {
  if (error instanceof CommanderError) {
    // Help and the version are printed by commander; a usage error is printed here, as all bad input is.
    if (error.exitCode !== 0 && !NO_MESSAGE.has(error.code)) io.stderr.write(`error: ${escapeLines(formatConfigIssue(commanderIssue(error)))}\n`);
    return error.exitCode === 0 ? ExitCode.OK : ExitCode.BAD_INPUT;
  }
  if (error instanceof ConfigurationError && error.issues.length > 1) {
    io.stderr.write(`error: ${error.issues.length} problems:\n${error.issues.map((issue) => `  ${escapeLines(formatConfigIssue(issue))}\n`).join('')}`);
    return ExitCode.BAD_INPUT;
  }
  if (error instanceof SchedulerError || isBadPath(error)) {
    io.stderr.write(`error: ${escapeLines(error.message)}\n`);
    return ExitCode.BAD_INPUT;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`internal error: ${escapeLines(text)}\n`);
  return ExitCode.FAILED;
}
