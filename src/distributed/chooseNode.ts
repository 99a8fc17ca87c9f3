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
  /** Task types every live worker of the node has a handler for (any of them may take a job). */
  readonly types: ReadonlySet<string>;
  /** Every live worker of the node runs command and module descriptors. */
  readonly runsDescriptors: boolean;
}

/** What placement needs of an attempt. */
export interface PlacementRequest {
  readonly type: string;
  /** A command or module travels with the job (else a handler of `type` must run it). */
  readonly hasDescriptor: boolean;
  readonly resources: Readonly<Record<string, number>>;
}

/**
 * A node for the attempt, and where round robin goes on from; or why none can take it, and
 * whether that is for good with the live workers as they are (`unplaceable`: no worker, none with
 * its handler, no node that large), not just until placed jobs finish.
 */
export type Placement =
  | { readonly node: string; readonly cursor: number }
  | { readonly node: undefined; readonly reason: string; readonly unplaceable: boolean };

const freeOf = (node: NodeView, name: string): number => (node.resources[name] ?? Infinity) - (node.used[name] ?? 0);

function fitsResources(node: NodeView, request: PlacementRequest): boolean {
  for (const name in request.resources) if ((request.resources[name] as number) > freeOf(node, name)) return false;
  return true;
}

/** The node offers at least the request in all (free or not). */
function holdsResources(node: NodeView, request: PlacementRequest): boolean {
  for (const name in request.resources) if ((request.resources[name] as number) > (node.resources[name] ?? Infinity)) return false;
  return true;
}

/** What is left free of the requested resources after placing it, relative to what the node offers: the smaller, the tighter the fit. */
function slackOf(node: NodeView, request: PlacementRequest): number {
  let slack = 0;
  for (const name in request.resources) {
    const total = node.resources[name];
    slack += total === undefined ? 1 : (freeOf(node, name) - (request.resources[name] as number)) / Math.max(total, 1);
  }
  return slack;
}

const loadOf = (node: NodeView): number => node.placed / Math.max(node.slots, 1);

const never = (reason: string): Placement => ({ node: undefined, reason, unplaceable: true });
const notNow = (reason: string): Placement => ({ node: undefined, reason, unplaceable: false });

/**
 * Picks the node for an attempt, as a pure function. Whatever the mode, only nodes that are up,
 * able to run the task (a handler of its type on every live worker, or descriptors), under their
 * `maxWorkers` and with its resources free qualify. `round_robin` takes them in turn whatever
 * their load; `least_loaded` takes the one with the fewest placed jobs per worker slot, among
 * those with fewer than `prefetch` jobs per slot; `resource_aware` takes, among the same, the one
 * whose free resources fit the task most tightly (the fewest placed jobs per slot on a tie), so
 * large requests keep finding room, as the simulator's `resource_aware` does.
 *
 * @example
 * chooseNode('least_loaded', nodes, { type: 'proof', hasDescriptor: false, resources: {} }, 0, 2);
 */
export function chooseNode(mode: LoadBalancing, nodes: readonly NodeView[], request: PlacementRequest, cursor: number, prefetch: number): Placement {
  const up = nodes.filter((node) => node.isUp);
  if (up.length === 0) return never(`no worker is connected for any node (${nodes.map((n) => n.name).join(', ')})`);
  const able = up.filter((node) => (request.hasDescriptor ? node.runsDescriptors : node.types.has(request.type)));
  if (able.length === 0) {
    const what = request.hasDescriptor ? 'a command or module task (none runs them' : `task type "${request.type}" (none has a handler for it`;
    return never(`no live worker on any node can run ${what}; live nodes: ${up.map((n) => n.name).join(', ')})`);
  }
  const large = able.filter((node) => holdsResources(node, request));
  if (large.length === 0) {
    const offered = able.map((node) => `${node.name}: ${Object.keys(request.resources).map((name) => `${name} ${node.resources[name] ?? Infinity}`).join(', ')}`);
    return never(`no live node has ${describeRequest(request)} free, nor that much in all (${offered.join('; ')}): no live worker can run it until a larger node joins`);
  }
  if (mode === 'round_robin') {
    for (let step = 0; step < nodes.length; step++) {
      const index = (cursor + step) % nodes.length;
      const node = nodes[index] as NodeView;
      if (large.includes(node) && node.placed < node.maxPlaced && fitsResources(node, request)) return { node: node.name, cursor: index + 1 };
    }
    const below = large.filter((node) => node.placed < node.maxPlaced);
    return below.length === 0 ? notNow(`every live node is at its max_workers (${describeLoad(large)})`) : noneFree(below, request);
  }
  const open = large.filter((node) => node.placed < Math.min(node.maxPlaced, node.slots * prefetch));
  if (open.length === 0) return notNow(`every live node is busy (${describeLoad(large)})`);
  const fitting = open.filter((node) => fitsResources(node, request));
  if (fitting.length === 0) return noneFree(open, request);
  let best = fitting[0] as NodeView;
  for (const node of fitting) {
    const tighter = mode === 'resource_aware' ? slackOf(node, request) - slackOf(best, request) : 0;
    if (tighter < 0 || (tighter === 0 && loadOf(node) < loadOf(best))) best = node;
  }
  return { node: best.name, cursor };
}

function describeRequest(request: PlacementRequest): string {
  return Object.entries(request.resources).map(([name, amount]) => `${name} ${amount}`).join(', ');
}

function noneFree(nodes: readonly NodeView[], request: PlacementRequest): Placement {
  const free = nodes.map((node) => `${node.name}: ${Object.keys(request.resources).map((name) => `${name} ${freeOf(node, name)}`).join(', ')} free`);
  return notNow(`no live node has ${describeRequest(request)} free (${free.join('; ')})`);
}

function describeLoad(nodes: readonly NodeView[]): string {
  return nodes.map((node) => `${node.name}: ${node.placed} jobs for ${node.slots} slots`).join('; ');
}
