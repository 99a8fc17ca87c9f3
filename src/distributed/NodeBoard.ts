import type { WorkerAnnouncement } from './AttemptJob.js';
import type { NodeView } from './chooseNode.js';
import type { NodeSpec } from './DistributedOptions.js';
import type { NodeStatus } from '../types.js';

export type { NodeStatus } from '../types.js';

/** A node's view as the board keeps it: rebuilt when its workers change, its counts kept in step. */
type LiveView = Omit<NodeView, 'placed' | 'used'> & { placed: number; readonly used: Record<string, number> };

interface NodeState {
  readonly spec: NodeSpec;
  workers: readonly WorkerAnnouncement[];
  /** What placement reads; `placed` and `used` change with every job, the rest with the workers. */
  view: LiveView;
  running: number;
}

function sumResources(workers: readonly WorkerAnnouncement[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const worker of workers) for (const [name, amount] of Object.entries(worker.resources)) total[name] = (total[name] ?? 0) + amount;
  return total;
}

function nodeView(spec: NodeSpec, workers: readonly WorkerAnnouncement[], placed: number, used: Record<string, number>): LiveView {
  const concurrency = workers.reduce((sum, worker) => sum + worker.concurrency, 0);
  return {
    name: spec.name,
    isUp: workers.length > 0,
    slots: Math.min(concurrency, spec.maxWorkers ?? Infinity),
    maxPlaced: spec.maxWorkers ?? Infinity,
    placed,
    resources: spec.resources ?? sumResources(workers),
    used,
    // What every live worker runs: any of them may take the job (two that differ started at once).
    types: new Set(workers[0]?.types.filter((type) => workers.every((worker) => worker.types.includes(type)))),
    runsDescriptors: workers.length > 0 && workers.every((worker) => worker.runsDescriptors),
  };
}

/**
 * The coordinator's picture of its nodes: which workers live on each (from their announcements)
 * and what the jobs placed there hold. Placement reads {@link views}; the dashboard {@link status}.
 *
 * @example
 * const board = new NodeBoard([{ name: 'a' }]);
 * board.setWorkers(liveWorkers); // { down: [], up: ['a'] }
 */
export class NodeBoard {
  readonly #nodes = new Map<string, NodeState>();
  #views: NodeView[] = [];

  constructor(specs: readonly NodeSpec[]) {
    for (const spec of specs) this.#nodes.set(spec.name, { spec, workers: [], view: nodeView(spec, [], 0, {}), running: 0 });
    this.#views = [...this.#nodes.values()].map((state) => state.view);
  }

  get names(): string[] {
    return [...this.#nodes.keys()];
  }

  has(node: string): boolean {
    return this.#nodes.has(node);
  }

  isUp(node: string): boolean {
    return (this.#nodes.get(node)?.workers.length ?? 0) > 0;
  }

  /**
   * Replaces the live workers; returns the nodes that went down and came up, strays (unknown
   * nodes), and mixed nodes (whose workers run different task types: only what all of them run
   * is placed there).
   */
  setWorkers(workers: readonly WorkerAnnouncement[]): { down: string[]; up: string[]; strays: WorkerAnnouncement[]; mixed: string[] } {
    const byNode = new Map<string, WorkerAnnouncement[]>();
    const strays: WorkerAnnouncement[] = [];
    for (const worker of workers) {
      if (!this.#nodes.has(worker.node)) strays.push(worker);
      else byNode.set(worker.node, [...(byNode.get(worker.node) ?? []), worker]);
    }
    const down: string[] = [];
    const up: string[] = [];
    const mixed: string[] = [];
    for (const [name, state] of this.#nodes) {
      const live = byNode.get(name) ?? [];
      if (state.workers.length > 0 && live.length === 0) down.push(name);
      if (state.workers.length === 0 && live.length > 0) up.push(name);
      state.workers = live;
      state.view = nodeView(state.spec, live, state.view.placed, state.view.used);
      const { types, runsDescriptors } = state.view;
      if (live.some((worker) => worker.types.length !== types.size || worker.runsDescriptors !== runsDescriptors)) mixed.push(name);
    }
    this.#views = [...this.#nodes.values()].map((state) => state.view);
    return { down, up, strays, mixed };
  }

  /** A job was placed on `node` holding `resources`. */
  add(node: string, resources: Readonly<Record<string, number>>): void {
    const state = this.#nodes.get(node);
    if (state === undefined) return;
    const { view } = state;
    view.placed++;
    for (const name in resources) view.used[name] = (view.used[name] ?? 0) + (resources[name] as number);
  }

  /** A job of `node` became active on a worker. */
  activate(node: string): void {
    const state = this.#nodes.get(node);
    if (state !== undefined) state.running++;
  }

  /** A job placed on `node` finished or left it. */
  remove(node: string, resources: Readonly<Record<string, number>>, wasActive: boolean): void {
    const state = this.#nodes.get(node);
    if (state === undefined) return;
    const { view } = state;
    view.placed--;
    if (wasActive) state.running--;
    for (const name in resources) view.used[name] = (view.used[name] ?? 0) - (resources[name] as number);
  }

  /**
   * What placement reads, in node order: live views, so a placement made meanwhile (add, remove)
   * is already counted in them and nothing is copied per placement. Read them synchronously:
   * a change of workers replaces them.
   */
  views(): readonly NodeView[] {
    return this.#views;
  }

  status(): NodeStatus[] {
    return [...this.#nodes.values()].map((state) => ({
      name: state.spec.name,
      isUp: state.workers.length > 0,
      workers: state.workers.length,
      concurrency: state.workers.reduce((sum, worker) => sum + worker.concurrency, 0),
      placed: state.view.placed,
      running: state.running,
      resources: state.view.resources,
      used: { ...state.view.used },
    }));
  }
}
