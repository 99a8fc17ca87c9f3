import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Dag, type DagInput } from '../../src/internal/Dag.js';

const node = (id: string, ...dependencies: string[]): DagInput => ({ id, dependencies });

/** A graph holding the batch, checked first. */
function dagOf(batch: readonly DagInput[], maxDepth = 100): Dag {
  const dag = new Dag();
  expect(dag.check(batch, maxDepth)).toBeUndefined();
  dag.add(batch);
  return dag;
}

// --- Random DAGs: node i may depend only on nodes with a lower index, so there is no cycle.

interface RandomDag {
  readonly ids: string[];
  /** deps[i]: indices (all < i) node i depends on. */
  readonly deps: number[][];
  /** The order the batch lists the nodes in (a permutation of the indices). */
  readonly listing: number[];
  /** Priorities that pick among ready nodes when completing in topological order. */
  readonly pick: number[];
}

const randomDagArb: fc.Arbitrary<RandomDag> = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc.record({
    ids: fc.constant(Array.from({ length: n }, (_, i) => `n${i}`)),
    deps: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        i === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.integer({ min: 0, max: i - 1 }), { maxLength: Math.min(i, 4) }),
      ),
    ),
    listing: fc.shuffledSubarray(
      Array.from({ length: n }, (_, i) => i),
      { minLength: n, maxLength: n },
    ),
    pick: fc.array(fc.nat(), { minLength: n, maxLength: n }),
  }),
);

const batchOf = (g: RandomDag, deps: number[][] = g.deps): DagInput[] =>
  g.listing.map((i) => node(g.ids[i] as string, ...(deps[i] as number[]).map((d) => g.ids[d] as string)));

/** Edges on the longest chain from each node down to a root. */
function longestChains(g: RandomDag): number[] {
  const depth: number[] = [];
  g.deps.forEach((ds, i) => {
    depth[i] = ds.reduce((max, d) => Math.max(max, 1 + (depth[d] as number)), 0);
  });
  return depth;
}

/** Nodes reachable from `from` by following dependency edges (not including `from`). */
function reachable(deps: number[][], from: number): Set<number> {
  const seen = new Set<number>();
  const stack = [...(deps[from] as number[])];
  while (stack.length > 0) {
    const at = stack.pop() as number;
    if (seen.has(at)) continue;
    seen.add(at);
    stack.push(...(deps[at] as number[]));
  }
  return seen;
}

describe('Dag', () => {
  it('reports a dependency on an id that is neither in the graph nor in the batch', () => {
    const dag = dagOf([node('a')]);
    expect(dag.check([node('b', 'a'), node('c', 'b', 'x')], 10)).toEqual({ kind: 'unknown', id: 'c', dependency: 'x' });
  });

  it('reports a task that depends on itself', () => {
    expect(new Dag().check([node('a'), node('b', 'a', 'b')], 10)).toEqual({ kind: 'self', id: 'b' });
  });

  it('reports a cycle with its exact path, from the first node back to it', () => {
    expect(new Dag().check([node('a', 'b'), node('b', 'c'), node('c', 'a')], 10)).toEqual({
      kind: 'cycle',
      path: ['a', 'b', 'c', 'a'],
    });
  });

  it('reports only the cycle, not the path that led into it', () => {
    expect(new Dag().check([node('x', 'a'), node('a', 'b'), node('b', 'a')], 10)).toEqual({
      kind: 'cycle',
      path: ['a', 'b', 'a'],
    });
  });

  it('reports a two-node cycle', () => {
    expect(new Dag().check([node('a', 'b'), node('b', 'a')], 10)).toEqual({ kind: 'cycle', path: ['a', 'b', 'a'] });
  });

  it('reports a chain deeper than the limit with the whole chain, deepest node first', () => {
    const batch = [node('a'), node('b', 'a'), node('c', 'b'), node('d', 'c')];
    expect(new Dag().check(batch, 2)).toEqual({ kind: 'depth', id: 'd', depth: 3, path: ['d', 'c', 'b', 'a'] });
    expect(new Dag().check(batch, 3)).toBeUndefined();
  });

  it('follows the deepest dependency when reporting a chain', () => {
    const batch = [node('a'), node('b', 'a'), node('c', 'b'), node('d', 'a', 'c')];
    expect(new Dag().check(batch, 2)).toEqual({ kind: 'depth', id: 'd', depth: 3, path: ['d', 'c', 'b', 'a'] });
  });

  it('counts the depth of nodes already in the graph and reports the chain through them', () => {
    const dag = dagOf([node('a'), node('b', 'a')]);
    expect(dag.depthOf('b')).toBe(1);
    expect(dag.check([node('c', 'b'), node('d', 'c')], 2)).toEqual({
      kind: 'depth',
      id: 'd',
      depth: 3,
      path: ['d', 'c', 'b', 'a'],
    });
    expect(dag.check([node('c', 'b'), node('d', 'c')], 3)).toBeUndefined();
  });

  it('leaves the graph untouched when checking', () => {
    const dag = dagOf([node('a')]);
    expect(dag.check([node('b', 'a'), node('c', 'b')], 10)).toBeUndefined();
    expect(dag.check([node('x', 'y'), node('y', 'x')], 10)).toMatchObject({ kind: 'cycle' });
    expect(dag.size).toBe(1);
    expect(dag.has('b')).toBe(false);
    expect(dag.dependentsOf('a')).toEqual([]);
  });

  it('adds a batch listed in any order and records dependencies, dependents and depth', () => {
    const dag = dagOf([node('d', 'b', 'c'), node('b', 'a'), node('c', 'a'), node('a')]);
    expect(dag.size).toBe(4);
    expect(dag.dependenciesOf('d')).toEqual(['b', 'c']);
    expect([...dag.dependentsOf('a')].sort()).toEqual(['b', 'c']);
    expect(dag.dependentsOf('b')).toEqual(['d']);
    expect(dag.depthOf('a')).toBe(0);
    expect(dag.depthOf('d')).toBe(2);
    expect(dag.isReady('a')).toBe(true);
    expect(dag.isReady('b')).toBe(false);
    expect([...dag.waitingOn('d')].sort()).toEqual(['b', 'c']);
  });

  it('unblocks exactly the dependents whose dependencies have all completed', () => {
    const dag = dagOf([node('a'), node('b', 'a'), node('c', 'a'), node('d', 'b', 'c'), node('e', 'a', 'd')]);
    expect([...dag.complete('a')].sort()).toEqual(['b', 'c']);
    expect(dag.waitingOn('e')).toEqual(['d']);
    expect(dag.complete('b')).toEqual([]);
    expect(dag.isReady('d')).toBe(false);
    expect(dag.waitingOn('d')).toEqual(['c']);
    expect(dag.complete('c')).toEqual(['d']);
    expect(dag.isReady('d')).toBe(true);
    expect(dag.complete('d')).toEqual(['e']);
    expect(dag.complete('e')).toEqual([]);
  });

  it('does not unblock a dependent twice when a node is completed twice', () => {
    const dag = dagOf([node('a'), node('b', 'a')]);
    expect(dag.complete('a')).toEqual(['b']);
    expect(dag.complete('a')).toEqual([]);
  });

  it('returns the direct dependents of an abandoned node and keeps them blocked', () => {
    const dag = dagOf([node('a'), node('b', 'a'), node('c', 'a'), node('d', 'b')]);
    expect([...dag.abandon('a', 'failed')].sort()).toEqual(['b', 'c']);
    expect(dag.outcomeOf('a')).toBe('failed');
    expect(dag.isReady('b')).toBe(false);
    expect(dag.abandon('b', 'cancelled')).toEqual(['d']);
    expect(dag.outcomeOf('b')).toBe('cancelled');
  });

  it('tells how a node ended, and nothing for live or unknown nodes', () => {
    const dag = dagOf([node('a'), node('b', 'a')]);
    expect(dag.outcomeOf('a')).toBeUndefined();
    expect(dag.outcomeOf('zzz')).toBeUndefined();
    dag.complete('a');
    expect(dag.outcomeOf('a')).toBe('completed');
    expect(dag.outcomeOf('b')).toBeUndefined();
  });

  it('forgets a removed node: later batches cannot name it', () => {
    const dag = dagOf([node('a'), node('b', 'a')]);
    dag.complete('a');
    dag.remove('a');
    expect(dag.has('a')).toBe(false);
    expect(dag.size).toBe(1);
    expect(dag.outcomeOf('a')).toBeUndefined();
    expect(dag.isReady('b')).toBe(true);
    expect(dag.check([node('c', 'a')], 10)).toEqual({ kind: 'unknown', id: 'c', dependency: 'a' });
    dag.remove('never-there');
    expect(dag.size).toBe(1);
  });

  it('does not wait on dependencies that already completed, but waits on failed ones', () => {
    const dag = dagOf([node('a'), node('f')]);
    dag.complete('a');
    dag.abandon('f', 'failed');
    dag.add([node('b', 'a'), node('c', 'a', 'f')]);
    expect(dag.isReady('b')).toBe(true);
    expect(dag.waitingOn('b')).toEqual([]);
    expect(dag.isReady('c')).toBe(false);
    expect(dag.waitingOn('c')).toEqual(['f']);
    expect(dag.dependentsOf('a')).toEqual(['b', 'c']);
  });

  it('finds no problem in a random DAG and reports depth exactly when the longest chain exceeds the limit', () => {
    fc.assert(
      fc.property(randomDagArb, fc.nat({ max: 14 }), (g, maxDepth) => {
        const batch = batchOf(g);
        expect(new Dag().check(batch, 1000)).toBeUndefined();
        const chains = longestChains(g);
        const deepest = Math.max(...chains);
        const problem = new Dag().check(batch, maxDepth);
        if (deepest <= maxDepth) {
          expect(problem).toBeUndefined();
          return;
        }
        if (problem?.kind !== 'depth') throw new Error(`expected a depth problem, got ${JSON.stringify(problem)}`);
        const at = g.ids.indexOf(problem.id);
        expect(problem.depth).toBe(chains[at]);
        expect(problem.depth).toBeGreaterThan(maxDepth);
        // The path is a real chain of dependency edges of that length, ending at a root.
        expect(problem.path).toHaveLength(problem.depth + 1);
        expect(problem.path[0]).toBe(problem.id);
        for (let k = 0; k + 1 < problem.path.length; k++) {
          const from = g.ids.indexOf(problem.path[k] as string);
          expect(g.deps[from]).toContain(g.ids.indexOf(problem.path[k + 1] as string));
        }
        expect(g.deps[g.ids.indexOf(problem.path[problem.path.length - 1] as string)]).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('unblocks every node exactly once, after all its dependencies, when completing in any topological order', () => {
    fc.assert(
      fc.property(randomDagArb, (g) => {
        const dag = dagOf(batchOf(g), 1000);
        const n = g.ids.length;
        g.deps.forEach((ds, i) => {
          expect(dag.isReady(g.ids[i] as string)).toBe(ds.length === 0);
          expect(dag.depthOf(g.ids[i] as string)).toBe(longestChains(g)[i]);
        });
        const done = new Set<number>();
        const ready = new Set(g.deps.flatMap((ds, i) => (ds.length === 0 ? [i] : [])));
        const unblockedCount = new Array<number>(n).fill(0);
        for (let step = 0; step < n; step++) {
          const choices = [...ready].sort((a, b) => a - b);
          expect(choices.length).toBeGreaterThan(0);
          const next = choices[(g.pick[step] as number) % choices.length] as number;
          ready.delete(next);
          done.add(next);
          for (const id of dag.complete(g.ids[next] as string)) {
            const i = g.ids.indexOf(id);
            unblockedCount[i] = (unblockedCount[i] as number) + 1;
            expect(g.deps[i]).toContain(next);
            expect((g.deps[i] as number[]).every((d) => done.has(d))).toBe(true);
            ready.add(i);
          }
          // Nothing left behind: every node whose dependencies are all done is ready.
          g.deps.forEach((ds, i) => {
            if (!done.has(i)) expect(ready.has(i)).toBe(ds.every((d) => done.has(d)));
          });
        }
        expect(done.size).toBe(n);
        expect(unblockedCount).toEqual(g.deps.map((ds) => (ds.length === 0 ? 0 : 1)));
      }),
      { numRuns: 300 },
    );
  });

  it('reports a real cycle when a random back-edge closes one', () => {
    const withBackEdge = randomDagArb
      .filter((g) => g.deps.some((ds) => ds.length > 0))
      .chain((g) => {
        const sources = g.deps.flatMap((ds, i) => (ds.length > 0 ? [i] : []));
        return fc.record({ g: fc.constant(g), source: fc.constantFrom(...sources), pick: fc.nat() });
      });
    fc.assert(
      fc.property(withBackEdge, ({ g, source, pick }) => {
        // `source` reaches every node in `below`; an edge from one of them back to `source` closes a cycle.
        const below = [...reachable(g.deps, source)].sort((a, b) => a - b);
        const target = below[pick % below.length] as number;
        const deps = g.deps.map((ds, i) => (i === target ? [...ds, source] : ds));
        const problem = new Dag().check(batchOf(g, deps), 1000);
        if (problem?.kind !== 'cycle') throw new Error(`expected a cycle, got ${JSON.stringify(problem)}`);
        const path = problem.path;
        expect(path.length).toBeGreaterThanOrEqual(3);
        expect(path[0]).toBe(path[path.length - 1]);
        expect(new Set(path.slice(0, -1)).size).toBe(path.length - 1);
        for (let k = 0; k + 1 < path.length; k++) {
          const from = g.ids.indexOf(path[k] as string);
          expect(deps[from]).toContain(g.ids.indexOf(path[k + 1] as string));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('Dag (deep chains)', () => {
  it('adds and unblocks a chain of 100k tasks in one batch without overflowing the stack', () => {
    const n = 100_000;
    const batch = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, dependencies: i === 0 ? [] : [`n${i - 1}`] }));
    const dag = new Dag();
    expect(dag.check(batch.slice().reverse(), n)).toBeUndefined();
    dag.add(batch.slice().reverse());
    expect(dag.depthOf(`n${n - 1}`)).toBe(n - 1);
    expect(dag.complete('n0')).toEqual(['n1']);
  });
});
