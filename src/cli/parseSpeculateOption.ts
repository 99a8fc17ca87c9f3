import { InvalidArgumentError } from 'commander';
import { isSpeculate, SPECULATE_EXPECTED } from '../core/resolveSchedulerOptions.js';

/**
 * The commander parser of `run --speculate <multiple>` (and `simulate --speculate`): the scheduler's own rule for `speculate`
 * (a finite number > 0), refused with what was expected and what was given.
 *
 * @example
 * program.option('--speculate <multiple>', 'back up stragglers', parseSpeculateOption);
 */
export function parseSpeculateOption(text: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!isSpeculate(value)) throw new InvalidArgumentError(`expected ${SPECULATE_EXPECTED}, received "${text}".`);
  return value;
}
