import type { PolicyContext } from '../types.js';

/** What {@link createUpwardRank} reads of the task graph. */
export type RankGraph = Pick<PolicyContext, 'dependentsOf' | 'estimateOf'>;

/**
 * Returns a memoised HEFT upward rank: `rank(t) = estimate(t) + max(rank(d) for d in dependents(t))`,
 * `0` for an unknown estimate. The rank of a task is the longest chain of estimated work from its
 * start to the end of the graph, so the largest rank over all tasks is the critical path.
 *
 * Ranks are cached the first time they are computed. Pass `refresh: true` to recompute one
 * task's rank from its current dependents (the graph may have grown since it was cached).
 * The walk is iterative, so chains of any length are fine; a cycle throws.
 *
 * @example
 * const rank = createUpwardRank({ dependentsOf: (id) => (id === 'a' ? ['b'] : []), estimateOf: () => 10 });
 * rank('a'); // 20
 */
export function createUpwardRank(graph: RankGraph): (id: string, refresh?: boolean) => number {
  const memo = new Map<string, number>();
  const onPath = new Set<string>();

  const settle = (id: string): number => {
    let longest = 0;
    for (const dependent of graph.dependentsOf(id)) longest = Math.max(longest, memo.get(dependent) ?? 0);
    const rank = (graph.estimateOf(id) ?? 0) + longest;
    memo.set(id, rank);
    return rank;
  };

  const compute = (root: string): void => {
    const stack: { id: string; isExpanded: boolean }[] = [{ id: root, isExpanded: false }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { id: string; isExpanded: boolean };
      if (frame.isExpanded) {
        stack.pop();
        onPath.delete(frame.id);
        settle(frame.id);
        continue;
      }
      if (memo.has(frame.id)) {
        stack.pop();
        continue;
      }
      frame.isExpanded = true;
      onPath.add(frame.id);
      for (const dependent of graph.dependentsOf(frame.id)) {
        if (onPath.has(dependent)) {
          onPath.clear();
          throw new Error(`createUpwardRank: expected an acyclic graph, found a cycle through "${dependent}"`);
        }
        if (!memo.has(dependent)) stack.push({ id: dependent, isExpanded: false });
      }
    }
  };

  return (id, refresh = false) => {
    const cached = memo.get(id);
    if (cached !== undefined && !refresh) return cached;
    for (const dependent of graph.dependentsOf(id)) if (!memo.has(dependent)) compute(dependent);
    return settle(id);
  };
}
