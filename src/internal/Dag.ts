const NONE: readonly string[] = Object.freeze([]);

function hasDependencies(item: DagInput): boolean {
  return item.dependencies.length > 0;
}

/** A problem found when adding tasks to a {@link Dag}. */
export type DagProblem =
  | { kind: 'unknown'; id: string; dependency: string }
  | { kind: 'cycle'; path: string[] }
  | { kind: 'depth'; id: string; depth: number; path: string[] }
  | { kind: 'self'; id: string };

/** A node as a batch proposes it. */
export interface DagInput {
  readonly id: string;
  readonly dependencies: readonly string[];
}

interface Node {
  /** Dependencies that have not completed yet; undefined when there were none to wait for. */
  readonly waitingOn: Set<string> | undefined;
  /** Created on the first dependent: most tasks in a large batch have none. */
  dependents: string[] | undefined;
  /** Edges on the longest chain from this node to a root. */
  readonly depth: number;
  readonly dependencies: readonly string[];
}

/**
 * The dependency graph of the tasks a scheduler knows: who waits on whom, how deep each chain
 * is, and which tasks a completion unblocks. Plain data: no XState, no timers.
 *
 * Nodes are added in batches that are checked as a whole first ({@link Dag.check}), so a batch
 * with a cycle, an unknown id or a too-deep chain leaves the graph untouched.
 *
 * @example
 * const dag = new Dag();
 * dag.add([{ id: 'a', dependencies: [] }, { id: 'b', dependencies: ['a'] }]);
 * dag.complete('a'); // ['b']
 */
export class Dag {
  readonly #nodes = new Map<string, Node>();
  readonly #finished = new Map<string, 'completed' | 'failed' | 'cancelled'>();

  /** How many nodes the graph holds (finished ones included until removed). */
  get size(): number {
    return this.#nodes.size;
  }

  /** True if the id is a node. */
  has(id: string): boolean {
    return this.#nodes.has(id);
  }

  /**
   * Checks a batch against the graph without changing it. Dependencies may name nodes already
   * in the graph or other members of the batch. Returns the first problem, or undefined.
   */
  check(batch: readonly DagInput[], maxDepth: number): DagProblem | undefined {
    // Most batches are independent tasks: nothing to look up, no cycle or depth possible.
    if (!batch.some(hasDependencies)) return undefined;
    const inBatch = new Map<string, DagInput>();
    for (const item of batch) inBatch.set(item.id, item);
    for (const item of batch) {
      for (const dependency of item.dependencies) {
        if (dependency === item.id) return { kind: 'self', id: item.id };
        if (!inBatch.has(dependency) && !this.#nodes.has(dependency)) {
          return { kind: 'unknown', id: item.id, dependency };
        }
      }
    }
    // Iterative DFS over the batch only: edges into existing nodes cannot close a cycle,
    // because existing nodes never depend on new ones.
    const depthOf = new Map<string, number>();
    const deepestParent = new Map<string, string>();
    const state = new Map<string, 1 | 2>();
    for (const root of batch) {
      // A task with no dependencies closes no cycle and has depth 0: it is walked only when a
      // dependent reaches it.
      if (root.dependencies.length === 0 || state.has(root.id)) continue;
      const stack: { id: string; next: number }[] = [{ id: root.id, next: 0 }];
      state.set(root.id, 1);
      while (stack.length > 0) {
        const frame = stack[stack.length - 1] as { id: string; next: number };
        const item = inBatch.get(frame.id) as DagInput;
        const dependency = item.dependencies[frame.next++];
        if (dependency !== undefined) {
          if (!inBatch.has(dependency)) continue;
          const seen = state.get(dependency);
          if (seen === 1) {
            const from = stack.findIndex((f) => f.id === dependency);
            return { kind: 'cycle', path: [...stack.slice(from).map((f) => f.id), dependency] };
          }
          if (seen === undefined) {
            state.set(dependency, 1);
            stack.push({ id: dependency, next: 0 });
          }
          continue;
        }
        stack.pop();
        state.set(frame.id, 2);
        let depth = 0;
        for (const dep of item.dependencies) {
          const d = 1 + (inBatch.has(dep) ? (depthOf.get(dep) as number) : this.depthOf(dep));
          if (d > depth) {
            depth = d;
            deepestParent.set(frame.id, dep);
          }
        }
        depthOf.set(frame.id, depth);
        if (depth > maxDepth) {
          return { kind: 'depth', id: frame.id, depth, path: this.#chain(frame.id, deepestParent) };
        }
      }
    }
    return undefined;
  }

  /** Adds a checked batch. Dependencies already finished are counted as such. */
  add(batch: readonly DagInput[]): void {
    // Without an edge inside the batch, any order puts dependencies first.
    const ordered = batch.some(hasDependencies) ? this.#topological(batch, new Set(batch.map((item) => item.id))) : batch;
    for (const item of ordered) {
      let waitingOn: Set<string> | undefined;
      let depth = 0;
      for (const dependency of item.dependencies) {
        depth = Math.max(depth, 1 + this.depthOf(dependency));
        if (this.#finished.get(dependency) !== 'completed') (waitingOn ??= new Set()).add(dependency);
        const upstream = this.#nodes.get(dependency);
        if (upstream) (upstream.dependents ??= []).push(item.id);
      }
      this.#nodes.set(item.id, { waitingOn, dependents: undefined, depth, dependencies: item.dependencies });
    }
  }

  /** Edges on the longest chain from the node to a root (0 for a root or an unknown id). */
  depthOf(id: string): number {
    return this.#nodes.get(id)?.depth ?? 0;
  }

  /** Dependencies of the node that have not completed. */
  waitingOn(id: string): readonly string[] {
    const node = this.#nodes.get(id);
    return node?.waitingOn ? [...node.waitingOn] : [];
  }

  /** True when every dependency of the node has completed. */
  isReady(id: string): boolean {
    return (this.#nodes.get(id)?.waitingOn?.size ?? 0) === 0;
  }

  /** The dependencies of a node, as given. */
  dependenciesOf(id: string): readonly string[] {
    return this.#nodes.get(id)?.dependencies ?? [];
  }

  /** Direct dependents of a node. */
  dependentsOf(id: string): readonly string[] {
    return this.#nodes.get(id)?.dependents ?? NONE;
  }

  /** Marks a node completed; returns the dependents that became ready. */
  complete(id: string): readonly string[] {
    this.#finished.set(id, 'completed');
    const dependents = this.dependentsOf(id);
    if (dependents.length === 0) return NONE;
    const unblocked: string[] = [];
    for (const dependent of dependents) {
      const node = this.#nodes.get(dependent);
      if (node?.waitingOn && node.waitingOn.delete(id) && node.waitingOn.size === 0) unblocked.push(dependent);
    }
    return unblocked;
  }

  /** Marks a node failed or cancelled; returns its direct dependents (they cannot run). */
  abandon(id: string, outcome: 'failed' | 'cancelled'): readonly string[] {
    this.#finished.set(id, outcome);
    return this.dependentsOf(id);
  }

  /** How a finished node ended, or undefined while it is live or unknown. */
  outcomeOf(id: string): 'completed' | 'failed' | 'cancelled' | undefined {
    return this.#finished.get(id);
  }

  /**
   * Forgets a finished node (its record was dropped). Later tasks can no longer name it; live
   * dependents already counted it.
   */
  remove(id: string): void {
    const node = this.#nodes.get(id);
    if (!node) return;
    this.#nodes.delete(id);
    this.#finished.delete(id);
  }

  /** Dependencies before dependents. Iterative: a chain may be as deep as maxDependencyDepth allows. */
  #topological(batch: readonly DagInput[], pending: Set<string>): DagInput[] {
    const out: DagInput[] = [];
    const byId = new Map(batch.map((item) => [item.id, item]));
    for (const root of batch) {
      if (!pending.delete(root.id)) continue;
      const stack: { item: DagInput; next: number }[] = [{ item: root, next: 0 }];
      while (stack.length > 0) {
        const frame = stack[stack.length - 1] as { item: DagInput; next: number };
        const dependency = frame.item.dependencies[frame.next++];
        if (dependency === undefined) {
          out.push(frame.item);
          stack.pop();
          continue;
        }
        const inner = byId.get(dependency);
        if (inner && pending.delete(inner.id)) stack.push({ item: inner, next: 0 });
      }
    }
    return out;
  }

  #chain(id: string, deepestParent: Map<string, string>): string[] {
    const path = [id];
    let at: string | undefined = deepestParent.get(id);
    while (at !== undefined) {
      path.push(at);
      const next = deepestParent.get(at) ?? this.#deepestExistingParent(at);
      at = next;
    }
    return path;
  }

  #deepestExistingParent(id: string): string | undefined {
    let best: string | undefined;
    let bestDepth = -1;
    for (const dependency of this.#nodes.get(id)?.dependencies ?? []) {
      const d = this.depthOf(dependency);
      if (d > bestDepth) {
        bestDepth = d;
        best = dependency;
      }
    }
    return best;
  }
}
