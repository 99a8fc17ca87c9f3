import { InvalidArgumentError } from 'commander';

/**
 * A commander option parser for a TCP port: a whole number from 0 (any free port) to 65535;
 * anything else is refused with what was expected and what was given.
 *
 * @example
 * program.option('--metrics-port <port>', 'serve Prometheus metrics', parsePortOption);
 */
export function parsePortOption(text: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value > 65535) throw new InvalidArgumentError(`expected a port, a whole number from 0 to 65535, received "${text}".`);
  return value;
}
