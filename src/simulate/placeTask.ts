import type { SimulatedLoadBalancing } from './types.js';

/** A node of a simulated cluster as placement sees it at one moment; the simulator keeps it current. */
export interface NodeState {
  readonly name: string;
  readonly maxWorkers: number;
  readonly speed: number;
  readonly capacity: Readonly<Record<string, number>>;
  /** Attempts running on the node now. */
  running: number;
  /** Capacity minus the requests of the running attempts. */
  readonly free: Record<string, number>;
  /** When each running attempt is expected to end (its estimate ÷ speed after its start), and what it holds. */
  readonly ends: { at: number; resources: Readonly<Record<string, number>> }[];
}

/** What {@link placeTask} needs of the task. */
export interface PlacedTask {
  readonly resources: Readonly<Record<string, number>>;
  /** What the policy knows of its length at speed 1, in ms (0 when unknown). */
  readonly estimateMs: number;
}

/** A placement: the node's index, and when the task could start there (now, or later for `earliest_finish`). */
export interface Placement {
  readonly node: number;
  readonly startsAt: number;
  /**
   * True when the node is busy now and the task would wait for it (`earliest_finish` only). An
   * attempt running past its estimate makes `startsAt` now while the node is still full.
   */
  readonly waits: boolean;
}

const fits = (node: NodeState, request: Readonly<Record<string, number>>): boolean =>
  node.running < node.maxWorkers && Object.entries(request).every(([name, amount]) => amount <= (node.free[name] ?? 0));

/** Free resources left after placing `request`, relative to capacity, summed: the tightness of a fit. */
const slack = (node: NodeState, request: Readonly<Record<string, number>>): number =>
  Object.entries(node.capacity).reduce((sum, [name, capacity]) => sum + ((node.free[name] ?? 0) - (request[name] ?? 0)) / Math.max(capacity, 1), 0);

/**
 * The earliest time the task could start on `node`: now if a worker and its request are free,
 * else when enough running attempts are expected to have ended; Infinity if it never fits.
 */
function earliestStart(node: NodeState, task: PlacedTask, now: number): number {
  if (fits(node, task.resources)) return now;
  const free = { ...node.free };
  let running = node.running;
  for (const end of [...node.ends].sort((a, b) => a.at - b.at)) {
    running -= 1;
    for (const [name, amount] of Object.entries(end.resources)) free[name] = (free[name] ?? 0) + amount;
    if (running < node.maxWorkers && Object.entries(task.resources).every(([name, amount]) => amount <= (free[name] ?? 0))) {
      return Math.max(now, end.at);
    }
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * Chooses a node for a ready task under a load-balancing mode. Every mode only places a task
 * where a worker is free and the node's free resources hold its request (so each node's limits
 * hold), except that `earliest_finish` may answer a busy node with a later `startsAt`: the task
 * then waits for that node. `cursor.next` is the round-robin position, advanced past the chosen
 * node. Returns undefined when no node can take the task now (or, for `earliest_finish`, ever).
 *
 * @example
 * placeTask({ resources: {}, estimateMs: 1000 }, nodes, 'least_loaded', { now: 0, cursor: { next: 0 } });
 */
export function placeTask(
  task: PlacedTask,
  nodes: readonly NodeState[],
  mode: SimulatedLoadBalancing,
  at: { readonly now: number; readonly cursor: { next: number } },
): Placement | undefined {
  const now = at.now;
  if (mode === 'earliest_finish') {
    let best: Placement | undefined;
    let bestFinish = Number.POSITIVE_INFINITY;
    nodes.forEach((node, index) => {
      const startsAt = earliestStart(node, task, now);
      const finish = startsAt + task.estimateMs / node.speed;
      // Ties go to the node that can start it soonest: the same finish, less risk.
      if (finish < bestFinish || (finish === bestFinish && best !== undefined && startsAt < best.startsAt)) {
        best = { node: index, startsAt, waits: !fits(node, task.resources) };
        bestFinish = finish;
      }
    });
    return best;
  }
  const open = nodes.map((node, index) => ({ node, index })).filter(({ node }) => fits(node, task.resources));
  if (open.length === 0) return undefined;
  let chosen: number;
  if (mode === 'round_robin') {
    const after = open.find(({ index }) => index >= at.cursor.next) ?? (open[0] as (typeof open)[number]);
    chosen = after.index;
    at.cursor.next = (chosen + 1) % nodes.length;
  } else if (mode === 'least_loaded') {
    chosen = open.reduce((a, b) => (b.node.running / b.node.maxWorkers < a.node.running / a.node.maxWorkers ? b : a)).index;
  } else {
    chosen = open.reduce((a, b) => (slack(b.node, task.resources) < slack(a.node, task.resources) ? b : a)).index;
  }
  return { node: chosen, startsAt: now, waits: false };
}
