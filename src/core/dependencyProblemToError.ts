import { InvalidDependencyError } from '../errors.js';
import type { DagProblem } from '../internal/Dag.js';

/**
 * The error for a batch the graph refused: an unknown dependency, a task depending on itself, a
 * cycle (with its path) or a chain deeper than `maxDepth`.
 *
 * @example
 * dependencyProblemToError({ kind: 'cycle', path: ['a', 'b', 'a'] }, 10).message; // 'dependencies: cycle a -> b -> a'
 */
export function dependencyProblemToError(problem: DagProblem, maxDepth: number): InvalidDependencyError {
  switch (problem.kind) {
    case 'unknown':
      return new InvalidDependencyError(
        `dependencies: task "${problem.id}" depends on unknown task "${problem.dependency}"`,
        'unknown',
        [problem.id, problem.dependency],
      );
    case 'self':
      return new InvalidDependencyError(`dependencies: task "${problem.id}" depends on itself`, 'self', [problem.id, problem.id]);
    case 'cycle':
      return new InvalidDependencyError(`dependencies: cycle ${problem.path.join(' -> ')}`, 'cycle', problem.path);
    case 'depth':
      return new InvalidDependencyError(
        `dependencies: task "${problem.id}" is ${problem.depth} dependencies deep, more than maxDependencyDepth ${maxDepth} (chain ${problem.path.join(' -> ')})`,
        'depth',
        problem.path,
      );
  }
}
