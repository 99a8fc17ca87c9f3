import type { Problem } from './describeZodIssues.js';
import { didYouMean } from '../internal/didYouMean.js';

/**
 * Checks that every task asks only for resources the pool has, and never more than its capacity
 * (such a task could never start).
 *
 * @param tasks each task's resource request, in file order
 * @param pool each resource's capacity, as `resourcePool` gives it
 * @example
 * ```ts
 * checkTaskResources(new Map([['big', { cpu: 8 }]]), { cpu: 4 });
 * // [{ path: ['tasks', 'big', 'resources', 'cpu'], expected: 'at most 4 (the cpu pool\'s capacity)', found: '8', … }]
 * ```
 */
export function checkTaskResources(
  tasks: ReadonlyMap<string, Readonly<Record<string, number | 'auto'>>>,
  pool: Readonly<Record<string, number>>,
): Problem[] {
  const problems: Problem[] = [];
  const names = Object.keys(pool);
  for (const [task, resources] of tasks) {
    for (const [resource, requested] of Object.entries(resources)) {
      const path = ['tasks', task, 'resources', resource];
      // Own keys only: `toString` is not a pool (the scheduler's ledger, a Map, says the same).
      const capacity = Object.hasOwn(pool, resource) ? pool[resource] : undefined;
      if (capacity === undefined) {
        problems.push({ path, expected: `a resource of the pool (${names.join(', ')})`, found: `"${resource}"`, hint: didYouMean(resource, names) });
      } else if (requested !== 'auto' && requested > capacity) {
        problems.push({
          path,
          expected: `at most ${capacity} (the ${resource} pool's capacity)`,
          found: String(requested),
          hint: `task "${task}" requests ${requested} ${resource} but the pool holds ${capacity}`,
        });
      }
    }
  }
  return problems;
}
