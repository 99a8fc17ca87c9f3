import type { PolicyName, PolicyOptions, SchedulingPolicy } from '../types.js';
import { agingRatePerMs } from './agingRatePerMs.js';
import { criticalPathPolicy } from './criticalPathPolicy.js';
import { fairSharePolicy } from './fairSharePolicy.js';
import { fifoPolicy } from './fifoPolicy.js';
import { priorityPolicy } from './priorityPolicy.js';
import { shortestFirstPolicy } from './shortestFirstPolicy.js';
import { InvalidOptionsError } from '../errors.js';

/** Options of {@link resolvePolicy}: the `priority_scheduler.*` settings, in camelCase. */
export type ResolvePolicyOptions = PolicyOptions;

/** Every built-in policy name, in documentation order. */
export const POLICY_NAMES: readonly PolicyName[] = ['priority', 'fifo', 'shortest-first', 'critical-path', 'fair-share'];

/**
 * Turns a policy name and its options into a fresh {@link SchedulingPolicy}; a policy object is
 * returned as it is. Throws an InvalidOptionsError for an unknown name.
 *
 * @example
 * resolvePolicy('priority', { priorityBoost: 1.2, agingIntervalMs: 60_000 });
 * resolvePolicy('fair-share', { groupWeights: { interactive: 3 } });
 */
export function resolvePolicy(
  nameOrPolicy: PolicyName | SchedulingPolicy,
  options: ResolvePolicyOptions = {},
): SchedulingPolicy {
  if (typeof nameOrPolicy !== 'string') return nameOrPolicy;
  const backfill = options.backfill ?? false;
  switch (nameOrPolicy) {
    case 'priority':
      return priorityPolicy({
        backfill,
        agingRatePerMs: options.priorityBoost ? agingRatePerMs(options.priorityBoost, options.agingIntervalMs) : 0,
      });
    case 'fifo':
      return fifoPolicy({ backfill });
    case 'shortest-first':
      return shortestFirstPolicy({ backfill });
    case 'critical-path':
      return criticalPathPolicy({ backfill });
    case 'fair-share':
      return fairSharePolicy({ backfill, groupWeights: options.groupWeights ?? {} });
    default:
      throw new InvalidOptionsError(
        `resolvePolicy: expected a policy name (${POLICY_NAMES.join(', ')}) or a policy object, received ${JSON.stringify(nameOrPolicy)}`,
        'policy',
      );
  }
}
