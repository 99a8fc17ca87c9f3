import type { Problem } from './describeZodIssues.js';
import { didYouMean } from '../internal/didYouMean.js';

/** What {@link checkDependencies} needs of each task. */
export type DependencyLists = ReadonlyMap<string, readonly string[]>;

function unknownAndRepeated(tasks: DependencyLists): Problem[] {
  const problems: Problem[] = [];
  for (const [name, dependencies] of tasks) {
    const seen = new Set<string>();
    dependencies.forEach((dependency, index) => {
      const path = ['tasks', name, 'dependencies', index];
      if (!tasks.has(dependency)) {
        problems.push({ path, expected: 'the name of a task in this workload', found: `"${dependency}"`, hint: didYouMean(dependency, tasks.keys()) });
      } else if (seen.has(dependency)) {
        problems.push({ path, expected: 'each dependency once', found: `"${dependency}" again`, hint: undefined });
      }
      seen.add(dependency);
    });
  }
  return problems;
}

/** A task being visited depth first, and how many of its dependencies are done. */
interface Frame {
  readonly name: string;
  readonly dependencies: readonly string[];
  next: number;
}

/**
 * Visits every task's dependencies depth first, in file order, without recursion (a chain of
 * 100,000 tasks must not exhaust the stack): `onEdge` sees each edge with the path from the
 * visit's root (its position in it, or -1 when the dependency is not on it), `onDone` each task
 * after all its dependencies. Each task and edge is seen once: linear in the graph's size.
 */
function depthFirst(
  tasks: DependencyLists,
  onEdge: (from: string, index: number, dependency: string, onPath: number, path: readonly string[]) => void,
  onDone: (name: string) => void,
): void {
  const done = new Set<string>();
  const position = new Map<string, number>();
  const path: string[] = [];
  const frames: Frame[] = [];
  const enter = (name: string): void => {
    position.set(name, path.length);
    path.push(name);
    frames.push({ name, dependencies: tasks.get(name) ?? [], next: 0 });
  };
  for (const root of tasks.keys()) {
    if (done.has(root)) continue;
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as Frame;
      if (frame.next < frame.dependencies.length) {
        const index = frame.next++;
        const dependency = frame.dependencies[index] as string;
        onEdge(frame.name, index, dependency, position.get(dependency) ?? -1, path);
        if (!done.has(dependency) && !position.has(dependency) && tasks.has(dependency)) enter(dependency);
      } else {
        frames.pop();
        path.pop();
        position.delete(frame.name);
        done.add(frame.name);
        onDone(frame.name);
      }
    }
  }
}

/** One problem per dependency edge that closes a cycle, with the cycle's path. */
function cycles(tasks: DependencyLists): Problem[] {
  const problems: Problem[] = [];
  depthFirst(
    tasks,
    (name, index, dependency, onPath, path) => {
      if (onPath < 0) return;
      const cycle = [...path.slice(onPath), dependency].join(' → ');
      problems.push({ path: ['tasks', name, 'dependencies', index], expected: 'dependencies that never lead back to the task', found: `the cycle ${cycle}`, hint: undefined });
    },
    () => undefined,
  );
  return problems;
}

/** The tasks whose chain first grows longer than `maxDepth` (their dependents are longer still). Needs a graph with no cycle. */
function tooDeep(tasks: DependencyLists, maxDepth: number): Problem[] {
  // Each task's longest chain: its length and the first dependency it goes through (no copies of chains).
  const depth = new Map<string, number>();
  const via = new Map<string, string>();
  depthFirst(
    tasks,
    () => undefined,
    (name) => {
      let longest = 0;
      for (const dependency of tasks.get(name) ?? []) {
        const length = (depth.get(dependency) ?? 0) + 1;
        if (length > longest) {
          longest = length;
          via.set(name, dependency);
        }
      }
      depth.set(name, longest);
    },
  );
  const problems: Problem[] = [];
  for (const name of tasks.keys()) {
    if (depth.get(name) !== maxDepth + 1) continue;
    const chain = [name];
    for (let next = via.get(name); next !== undefined; next = via.get(next)) chain.push(next);
    problems.push({
      path: ['tasks', name, 'dependencies'],
      expected: `a chain of at most ${maxDepth} dependencies (scheduler.dependency_scheduler.max_dependency_depth)`,
      found: `a chain of ${chain.length - 1}: ${chain.join(' → ')}`,
      hint: undefined,
    });
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
