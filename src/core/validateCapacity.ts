import { ResourceAllocationError } from '../errors.js';
import { capacityProblem, type ResourceAmounts } from '../internal/ResourceLedger.js';

/**
 * Throws a {@link ResourceAllocationError} unless every pool capacity is a finite number >= 0;
 * returns the capacities so a caller can check and use them in one expression.
 *
 * @example
 * new ResourceLedger(validateCapacity(options.resources ?? DEFAULT_RESOURCES));
 */
export function validateCapacity(capacity: ResourceAmounts): ResourceAmounts {
  const problem = capacityProblem(capacity);
  if (problem !== undefined) throw new ResourceAllocationError(problem.message, problem);
  return capacity;
}
