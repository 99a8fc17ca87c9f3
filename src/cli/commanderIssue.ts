import type { CommanderError } from 'commander';
import type { ConfigIssue } from '../errors.js';

const USAGE = 'add --help for usage';

/** Commander's "(Did you mean --json?)" line, in our words, with the usage hint. */
function hintOf(message: string): string {
  const meant = /\(Did you mean (.+)\?\)/.exec(message)?.[1];
  return meant === undefined ? USAGE : `did you mean ${meant}? ${USAGE}`;
}

/** An argument's reason as our flag parsers word it ("expected …, received …."), or commander's choices. */
function reasonOf(reason: string, value: string): { expected: string; found: string } {
  const ours = /^expected (.*?)[,;] received (.*?)\.?$/.exec(reason);
  if (ours) return { expected: ours[1] as string, found: ours[2] as string };
  const choices = /^Allowed choices are (.*?)\.?$/.exec(reason);
  if (choices) return { expected: `one of ${choices[1]}`, found: JSON.stringify(value) };
  return { expected: reason.replace(/\.$/, ''), found: JSON.stringify(value) };
}

/** What commander refused, as expected and found, by its error code and message. */
function describe(error: CommanderError): { path: string; expected: string; found: string } {
  const text = error.message.replace(/^error: /, '').split('\n')[0] ?? '';
  let match: RegExpExecArray | null;
  switch (error.code) {
    case 'commander.unknownOption':
      match = /unknown option '([^']+)'/.exec(text);
      return { path: match?.[1] ?? '<option>', expected: 'an option of this command', found: `unknown option "${match?.[1] ?? text}"` };
    case 'commander.unknownCommand':
      match = /unknown command '([^']+)'/.exec(text);
      return { path: '<command>', expected: 'a command (run, status, worker, validate, simulate, machines)', found: `"${match?.[1] ?? text}"` };
    case 'commander.missingArgument':
      match = /missing required argument '([^']+)'/.exec(text);
      return { path: `<${match?.[1] ?? 'argument'}>`, expected: `a ${match?.[1] ?? 'required argument'}`, found: 'nothing' };
    case 'commander.optionMissingArgument':
      match = /option '(\S+)[^']*' argument missing/.exec(text);
      return { path: match?.[1] ?? '<option>', expected: 'a value after it', found: 'nothing' };
    case 'commander.missingMandatoryOptionValue':
      match = /required option '(\S+)[^']*' not specified/.exec(text);
      return { path: match?.[1] ?? '<option>', expected: 'this option (it is required)', found: 'nothing' };
    case 'commander.invalidArgument':
      match = /^option '(\S+)[^']*' argument '([^']*)' is invalid\. (.*)$/.exec(text) ?? /^command-argument value '([^']*)' is invalid for argument '([^']+)'\. (.*)$/.exec(text);
      if (match?.[0].startsWith('option')) return { path: match[1] as string, ...reasonOf(match[3] as string, match[2] as string) };
      if (match) return { path: `<${match[2]}>`, ...reasonOf(match[3] as string, match[1] as string) };
      break;
    case 'commander.excessArguments':
      match = /Expected (\d+) arguments? but got (\d+)/.exec(text);
      if (match) return { path: '<arguments>', expected: `at most ${match[1]}`, found: `${match[2]}` };
      break;
  }
  return { path: '', expected: 'valid arguments', found: text };
}

/**
 * A usage error commander refused (an unknown option or command, a missing or invalid argument)
 * as an issue on the command line, so that it prints as every other bad input does:
 * `error: <command line>: --max-workers: expected a whole number >= 1, found "0" (add --help for usage)`.
 *
 * @example
 * formatConfigIssue(commanderIssue(error));
 */
export function commanderIssue(error: CommanderError): ConfigIssue {
  return { file: '<command line>', line: undefined, ...describe(error), hint: hintOf(error.message) };
}
