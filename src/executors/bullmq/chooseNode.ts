import type { LoadBalancing } from './DistributedOptions.js';

/** A node as placement sees it. */
export interface NodeView {
  readonly name: string;
  /** Some worker of the node is alive. */
  readonly isUp: boolean;
  /** Jobs the node's live workers run at once (capped by its `maxWorkers`). */
  readonly slots: number;
  /** Hard cap on jobs placed at once (its `maxWorkers`), or Infinity. */
  readonly maxPlaced: number;
  /** Jobs placed on it and not finished. */
  readonly placed: number;
  /** What it offers, by resource name; names it does not list are not limited there. */
  readonly resources: Readonly<Record<string, number>>;
  /** What its placed jobs hold. */
  readonly used: Readonly<Record<string, number>>;
  /** Task types some live worker of the node has a handler for. */
  readonly types: ReadonlySet<string>;
  /** Some live worker of the node runs command and module descriptors. */
  readonly runsDescriptors: boolean;
}

/** What placement needs of an attempt. */
export interface PlacementRequest {
  readonly type: string;
  /** A command or module travels with the job (else a handler of `type` must run it). */
  readonly hasDescriptor: boolean;
  readonly resources: Readonly<Record<string, number>>;
}

/** A node for the attempt, and where round robin goes on from; or why none can take it. */
export type Placement = { readonly node: string; readonly cursor: number } | { readonly node: undefined; readonly reason: string };

const freeOf = (node: NodeView, name: string): number => (node.resources[name] ?? Infinity) - (node.used[name] ?? 0);

function fitsResources(node: NodeView, request: PlacementRequest): boolean {
  for (const name in request.resources) if ((request.resources[name] as number) > freeOf(node, name)) return false;
  return true;
}

const loadOf = (node: NodeView): number => node.placed / Math.max(node.slots, 1);

/**
 * Picks the node for an attempt, as a pure function. Only nodes that are up, under their
 * `maxWorkers` and able to run the task (a handler of its type, or descriptors) qualify.
 * `round_robin` takes them in turn whatever their load; `least_loaded` takes the one with the
 * fewest placed jobs per worker slot, among those with fewer than `prefetch` jobs per slot;
 * `resource_aware` does the same among the nodes whose free resources fit the task.
 *
 * @example
 * chooseNode('least_loaded', nodes, { type: 'proof', hasDescriptor: false, resources: {} }, 0, 2);
 */
export function chooseNode(mode: LoadBalancing, nodes: readonly NodeView[], request: PlacementRequest, cursor: number, prefetch: number): Placement {
  const up = nodes.filter((node) => node.isUp);
  if (up.length === 0) return { node: undefined, reason: `no worker is connected for any node (${nodes.map((n) => n.name).join(', ')})` };
  const able = up.filter((node) => (request.hasDescriptor ? node.runsDescriptors : node.types.has(request.type)));
  if (able.length === 0) {
    const what = request.hasDescriptor ? 'runs commands and modules' : `has a handler for task type "${request.type}"`;
    return { node: undefined, reason: `no live worker ${what} (live nodes: ${up.map((n) => n.name).join(', ')})` };
  }
  if (mode === 'round_robin') {
    for (let step = 0; step < nodes.length; step++) {
      const index = (cursor + step) % nodes.length;
      const node = nodes[index] as NodeView;
      if (able.includes(node) && node.placed < node.maxPlaced) return { node: node.name, cursor: index + 1 };
    }
    return { node: undefined, reason: `every live node is at its max_workers (${describeLoad(able)})` };
  }
  const open = able.filter((node) => node.placed < Math.min(node.maxPlaced, node.slots * prefetch));
  if (open.length === 0) return { node: undefined, reason: `every live node is busy (${describeLoad(able)})` };
  const fitting = mode === 'resource_aware' ? open.filter((node) => fitsResources(node, request)) : open;
  if (fitting.length === 0) {
    const wanted = Object.entries(request.resources).map(([name, amount]) => `${name} ${amount}`).join(', ');
    const free = open.map((node) => `${node.name}: ${Object.keys(request.resources).map((name) => `${name} ${freeOf(node, name)}`).join(', ')} free`);
    return { node: undefined, reason: `no live node has ${wanted} free (${free.join('; ')})` };
  }
  let best = fitting[0] as NodeView;
  for (const node of fitting) if (loadOf(node) < loadOf(best)) best = node;
  return { node: best.name, cursor };
}

function describeLoad(nodes: readonly NodeView[]): string {
  return nodes.map((node) => `${node.name}: ${node.placed} jobs for ${node.slots} slots`).join('; ');
}
