import type { Problem } from './describeZodIssues.js';
import { didYouMean } from '../internal/didYouMean.js';

/** What {@link checkDependencies} needs of each task. */
export type DependencyLists = ReadonlyMap<string, readonly string[]>;

function unknownAndRepeated(tasks: DependencyLists): Problem[] {
  const problems: Problem[] = [];
  for (const [name, dependencies] of tasks) {
    dependencies.forEach((dependency, index) => {
      const path = ['tasks', name, 'dependencies', index];
      if (!tasks.has(dependency)) {
        problems.push({ path, expected: 'the name of a task in this workload', found: `"${dependency}"`, hint: didYouMean(dependency, tasks.keys()) });
      } else if (dependencies.indexOf(dependency) < index) {
        problems.push({ path, expected: 'each dependency once', found: `"${dependency}" again`, hint: undefined });
      }
    });
  }
  return problems;
}

/** One problem per dependency edge that closes a cycle, with the cycle's path. */
function cycles(tasks: DependencyLists): Problem[] {
  const problems: Problem[] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    stack.push(name);
    (tasks.get(name) ?? []).forEach((dependency, index) => {
      const start = stack.indexOf(dependency);
      if (start >= 0) {
        const cycle = [...stack.slice(start), dependency].join(' → ');
        problems.push({ path: ['tasks', name, 'dependencies', index], expected: 'dependencies that never lead back to the task', found: `the cycle ${cycle}`, hint: undefined });
      } else if (!done.has(dependency) && tasks.has(dependency)) {
        visit(dependency);
      }
    });
    stack.pop();
    done.add(name);
  };
  for (const name of tasks.keys()) if (!done.has(name)) visit(name);
  return problems;
}

/** The tasks whose chain first grows longer than `maxDepth` (their dependents are longer still). */
function tooDeep(tasks: DependencyLists, maxDepth: number): Problem[] {
  const chains = new Map<string, string[]>();
  const chainOf = (name: string): string[] => {
    const known = chains.get(name);
    if (known) return known;
    let longest: string[] = [];
    for (const dependency of tasks.get(name) ?? []) {
      const chain = chainOf(dependency);
      if (chain.length > longest.length) longest = chain;
    }
    const chain = [name, ...longest];
    chains.set(name, chain);
    return chain;
  };
  const problems: Problem[] = [];
  for (const name of tasks.keys()) {
    const chain = chainOf(name);
    if (chain.length - 1 === maxDepth + 1) {
      problems.push({
        path: ['tasks', name, 'dependencies'],
        expected: `a chain of at most ${maxDepth} dependencies (scheduler.dependency_scheduler.max_dependency_depth)`,
        found: `a chain of ${chain.length - 1}: ${chain.join(' → ')}`,
        hint: undefined,
      });
    }
  }
  return problems;
}

/**
 * Checks a workload's dependency graph before anything runs: names that are not tasks (with a
 * did-you-mean), repeated entries, cycles (with the cycle's path), and chains deeper than
 * `maxDepth`. The depth is only checked once the graph has no cycle and no unknown name.
 *
 * @param tasks each task's dependency list, in file order
 * @example
 * ```ts
 * checkDependencies(new Map([['a', ['b']], ['b', ['a']]]), 10);
 * // [{ path: ['tasks', 'a', 'dependencies', 0], found: 'the cycle a → b → a', … }]
 * ```
 */
export function checkDependencies(tasks: DependencyLists, maxDepth: number): Problem[] {
  const problems = [...unknownAndRepeated(tasks), ...cycles(tasks)];
  return problems.length > 0 ? problems : tooDeep(tasks, maxDepth);
}
