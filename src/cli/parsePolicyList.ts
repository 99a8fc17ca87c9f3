import { InvalidArgumentError } from 'commander';
import { POLICY_NAMES } from '../policies/resolvePolicy.js';
import type { PolicyName } from '../types.js';

function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}

/**
 * A commander option parser for a comma-separated list of built-in policy names.
 *
 * @example
 * parsePolicyList('fifo,critical-path'); // ['fifo', 'critical-path']
 * parsePolicyList('fast'); // throws: expected policy names from priority, fifo, …
 */
export function parsePolicyList(text: string): PolicyName[] {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !isPolicyName(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`expected policy names from ${POLICY_NAMES.join(', ')}, separated by commas; received "${text}".`);
  }
  return names.filter(isPolicyName);
}
