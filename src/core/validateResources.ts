import { ResourceAllocationError } from '../errors.js';
import type { ResourceLedger } from '../internal/ResourceLedger.js';

/**
 * Throws a {@link ResourceAllocationError} if a task's resource request can never be granted by
 * the ledger's pools: an unknown resource name, an amount that is not a finite number >= 0, or
 * more than a pool's capacity. `field` prefixes the message.
 *
 * @example
 * validateResources(ledger, spec.resources, 'tasks[3].resources');
 * // ResourceAllocationError: tasks[3].resources.gpu: unknown resource; expected one of cpu, memory
 */
export function validateResources(ledger: ResourceLedger, request: unknown, field = 'resources'): void {
  const problem = ledger.problemWith(request, field);
  if (problem !== undefined) throw new ResourceAllocationError(problem.message, problem);
}
