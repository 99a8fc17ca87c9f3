import { InvalidArgumentError } from 'commander';

/**
 * A commander option parser that accepts a whole number of at least `min` and refuses anything
 * else with a message saying what was expected and what was given.
 *
 * @example
 * program.option('--max-workers <n>', 'most tasks at once', parseIntegerOption(1));
 */
export function parseIntegerOption(min: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min) {
      throw new InvalidArgumentError(`expected a whole number >= ${min}, received "${text}".`);
    }
    return value;
  };
}
