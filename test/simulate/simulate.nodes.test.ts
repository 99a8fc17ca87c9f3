import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateDagWorkload } from '../../src/simulate/generateDagWorkload.js';
import { checkInvariants, checkNodes } from '../../src/simulate/invariants.js';
import { placeTask, type NodeState } from '../../src/simulate/placeTask.js';
import { simulate } from '../../src/simulate/simulate.js';
import { LOAD_BALANCING_MODES } from '../../src/simulate/simulateOnNodes.js';
import type { SimulatedLoadBalancing, SimulatedNode, Trace } from '../../src/simulate/types.js';
import type { PolicyName } from '../../src/types.js';
import { LOAD_BALANCING, type NodeSpec } from '../../src/distributed/DistributedOptions.js';

const CLUSTER = {
  fast: { maxWorkers: 1, resources: { cpu: 2 }, speed: 2 },
  slow: { maxWorkers: 2, resources: { cpu: 2 }, speed: 0.5 },
} as const satisfies Record<string, SimulatedNode>;

const placements = (trace: Trace): [string, string | undefined, number][] =>
  trace.events.filter((e) => e.to === 'running').map((e) => [e.task, e.node, e.time]);

describe('simulate with nodes', () => {
  it('runs each task for its duration ÷ the speed of the node it was placed on', async () => {
    const chain = { tasks: { a: { estimate: 10 }, b: { estimate: 10, dependencies: ['a'] } } };
    const heft = await simulate(chain, { policy: 'critical-path', nodes: CLUSTER });
    expect(heft.trace.loadBalancing).toBe('earliest_finish');
    expect(placements(heft.trace)).toEqual([['a', 'fast', 0], ['b', 'fast', 5000]]);
    expect(heft.metrics.makespanMs).toBe(10_000);
    const roundRobin = await simulate(chain, { policy: 'fifo', nodes: CLUSTER });
    expect(roundRobin.trace.loadBalancing).toBe('round_robin');
    expect(placements(roundRobin.trace)).toEqual([['a', 'fast', 0], ['b', 'slow', 5000]]);
    expect(roundRobin.metrics.makespanMs).toBe(25_000);
  });

  it('lets an earliest-finish task wait for a busy fast node rather than start on a slow one', async () => {
    // `long` holds the only fast worker until 5 s; `next` ends at 5 + 2 = 7 s there, 8 s on `slow`.
    const workload = { tasks: { long: { estimate: 10 }, next: { estimate: 4 } } };
    const { trace } = await simulate(workload, { policy: 'critical-path', nodes: CLUSTER });
    expect(placements(trace)).toEqual([['long', 'fast', 0], ['next', 'fast', 5000]]);
    const leastLoaded = await simulate(workload, { policy: 'critical-path', nodes: CLUSTER, loadBalancing: 'least_loaded' });
    expect(placements(leastLoaded.trace)).toEqual([['long', 'fast', 0], ['next', 'slow', 0]]);
  });

  it('places a request only on a node whose own pool holds it, with resource_aware taking the tightest fit', async () => {
    const nodes = { small: { maxWorkers: 2, resources: { cpu: 1 } }, big: { maxWorkers: 2, resources: { cpu: 4 } } };
    const workload = { tasks: { wide: { estimate: 1, resources: { cpu: 3 } }, narrow: { estimate: 1, resources: { cpu: 1 } } } };
    const { trace } = await simulate(workload, { policy: 'fifo', nodes, loadBalancing: 'resource_aware' });
    expect(placements(trace)).toEqual([['wide', 'big', 0], ['narrow', 'small', 0]]);
    await expect(simulate({ tasks: { huge: { estimate: 1, resources: { cpu: 9 } } } }, { nodes })).rejects.toThrow(/"huge" fit on none of small, big/);
  });

  it('simulates the nodes of a distributed run as they are written, under each of its load-balancing modes', async () => {
    expect(LOAD_BALANCING_MODES).toEqual([...LOAD_BALANCING, 'earliest_finish']);
    // A distributed run's node specs, keyed by name, are simulated nodes once each has its worker slots.
    const specs: NodeSpec[] = [{ name: 'cpu', maxWorkers: 2 }, { name: 'gpu', maxWorkers: 1, resources: { gpu: 1 } }];
    const nodes = Object.fromEntries(specs.map(({ name, ...spec }): [string, SimulatedNode] => [name, { ...spec, maxWorkers: spec.maxWorkers ?? 1 }]));
    const workload = { tasks: { train: { estimate: 1, resources: { gpu: 1 } }, parse: { estimate: 1 } } };
    for (const loadBalancing of LOAD_BALANCING) {
      const { trace } = await simulate(workload, { policy: 'fifo', nodes, loadBalancing });
      expect(placements(trace).find(([task]) => task === 'train')?.[1]).toBe('gpu');
    }
  });

  it('refuses a bad node or mode, naming the field, what it expected and what it found', async () => {
    const workload = { tasks: { a: { estimate: 1 } } };
    await expect(simulate(workload, { nodes: { n: { maxWorkers: 0 } } })).rejects.toThrow('expected nodes.n.maxWorkers to be an integer >= 1, received 0');
    await expect(simulate(workload, { nodes: { n: { maxWorkers: 1, speed: -2 } } })).rejects.toThrow('expected nodes.n.speed to be a finite number > 0, received -2');
    await expect(simulate(workload, { nodes: { n: { maxWorkers: 1, resources: { cpu: Number.NaN } } } })).rejects.toThrow(/nodes\.n\.resources\.cpu/);
    await expect(simulate(workload, { nodes: {} })).rejects.toThrow('expected nodes to name at least one node, received {}');
    await expect(simulate(workload, { nodes: CLUSTER, loadBalancing: 'dice' as SimulatedLoadBalancing })).rejects.toThrow(
      'expected loadBalancing to be one of round_robin, least_loaded, resource_aware, earliest_finish, received "dice"',
    );
  });

  it('keeps every invariant on every node, for every policy and mode, on random DAGs over random clusters', async () => {
    const node = fc.record({
      maxWorkers: fc.integer({ min: 1, max: 3 }),
      resources: fc.record({ cpu: fc.integer({ min: 2, max: 4 }), memory: fc.integer({ min: 2, max: 4 }) }),
      speed: fc.constantFrom(0.5, 1, 2, 3),
    });
    const policies: PolicyName[] = ['fifo', 'priority', 'shortest-first', 'critical-path', 'fair-share'];
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.dictionary(fc.constantFrom('n1', 'n2', 'n3', 'n4'), node, { minKeys: 1 }),
        fc.constantFrom(...policies),
        fc.constantFrom(...LOAD_BALANCING_MODES),
        async (seed, nodes, policy, loadBalancing) => {
          const workload = generateDagWorkload({ tasks: 25, fanIn: 2, seed, resourceMix: { cpu: { share: 0.5, max: 2 }, memory: { share: 0.3, max: 2 } } });
          const { trace, metrics } = await simulate(workload, { policy, nodes, loadBalancing, seed });
          expect(checkInvariants(trace)).toEqual([]);
          expect(metrics.outcomes.completed).toBe(25);
          const used = new Set(placements(trace).map(([, name]) => name));
          for (const name of used) expect(Object.keys(nodes)).toContain(name);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('checkNodes', () => {
  it('reports a node running more than its workers or over its own pool, naming the node', () => {
    const trace: Trace = {
      policy: 'fifo',
      maxWorkers: 3,
      resources: { cpu: 4 },
      nodes: { a: { maxWorkers: 1, resources: { cpu: 1 } }, b: { maxWorkers: 2, resources: { cpu: 3 } } },
      tasks: ['x', 'y'].map((id, at) => ({ id, priority: 3, group: 'default', dependencies: [], resources: { cpu: 1 }, estimateMs: 1, seq: at + 1 })),
      events: [
        { time: 0, task: 'x', from: null, to: 'pending' },
        { time: 0, task: 'y', from: null, to: 'pending' },
        { time: 0, task: 'x', from: 'pending', to: 'running', node: 'a' },
        { time: 0, task: 'y', from: 'pending', to: 'running', node: 'a' },
        { time: 1, task: 'x', from: 'running', to: 'completed' },
        { time: 1, task: 'y', from: 'running', to: 'completed' },
      ],
    };
    const violations = checkNodes(trace);
    expect(violations.map((v) => v.invariant)).toEqual(['max-workers', 'over-commit']);
    expect(violations[0]?.message).toMatch(/^on node "a": task "y" started as task 2 of at most 1/);
    expect(checkInvariants(trace).filter((v) => v.message.startsWith('on node'))).toHaveLength(2);
  });
});

/** The model of one node: how many run there and what is free, kept apart from the placement code. */
interface NodeModel {
  readonly name: string;
  readonly maxWorkers: number;
  readonly speed: number;
  readonly cpuCapacity: number;
  running: { cpu: number; end: number }[];
  cpuFree: number;
}

interface Cluster {
  readonly nodes: NodeState[];
  readonly cursor: { next: number };
  now: number;
}

const fitsModel = (node: NodeModel, cpu: number): boolean => node.running.length < node.maxWorkers && cpu <= node.cpuFree;
const loadOf = (node: NodeModel): number => node.running.length / node.maxWorkers;

/** `place cpu estimate`: the placement must fit, and be the mode's own choice among the nodes that fit. */
class PlaceCommand implements fc.AsyncCommand<NodeModel[], Cluster> {
  constructor(
    readonly mode: SimulatedLoadBalancing,
    readonly cpu: number,
    readonly estimateMs: number,
  ) {}
  check = (): boolean => true;
  async run(model: NodeModel[], real: Cluster): Promise<void> {
    const before = model.map((node) => ({ ...node, running: [...node.running] }));
    const cursorBefore = real.cursor.next;
    const placed = placeTask({ resources: { cpu: this.cpu }, estimateMs: this.estimateMs }, real.nodes, this.mode, { now: real.now, cursor: real.cursor });
    const open = before.filter((node) => fitsModel(node, this.cpu));
    if (this.mode !== 'earliest_finish' && open.length === 0) {
      expect(placed).toBeUndefined();
      return;
    }
    if (placed === undefined) {
      // earliest_finish answers undefined only when no node could ever hold the request.
      expect(before.every((node) => node.cpuFree + node.running.reduce((s, r) => s + r.cpu, 0) < this.cpu)).toBe(true);
      return;
    }
    const chosen = before[placed.node] as NodeModel;
    if (this.mode === 'round_robin') {
      const order = [...before.keys()].map((k) => (cursorBefore + k) % before.length);
      expect(placed.node).toBe(order.find((k) => fitsModel(before[k] as NodeModel, this.cpu)));
    }
    if (this.mode === 'least_loaded') expect(loadOf(chosen)).toBe(Math.min(...open.map(loadOf)));
    // The tightest fit: the least free cpu left, relative to the node's capacity.
    const slackOf = (node: NodeModel): number => (node.cpuFree - this.cpu) / node.cpuCapacity;
    if (this.mode === 'resource_aware') expect(slackOf(chosen)).toBe(Math.min(...open.map(slackOf)));
    if (this.mode === 'earliest_finish') {
      const finishOf = (node: NodeModel): number => {
        if (fitsModel(node, this.cpu)) return real.now + this.estimateMs / node.speed;
        let free = node.cpuFree;
        let count = node.running.length;
        for (const run of [...node.running].sort((a, b) => a.end - b.end)) {
          free += run.cpu;
          count -= 1;
          if (count < node.maxWorkers && this.cpu <= free) return Math.max(real.now, run.end) + this.estimateMs / node.speed;
        }
        return Number.POSITIVE_INFINITY;
      };
      expect(finishOf(chosen)).toBe(Math.min(...before.map(finishOf)));
      expect(placed.waits).toBe(!fitsModel(chosen, this.cpu));
      if (placed.waits) return; // the task waits for that node: nothing starts now
    }
    expect(fitsModel(chosen, this.cpu)).toBe(true);
    // Start it, on the model and on the real node state, as the simulator does.
    const end = real.now + this.estimateMs / chosen.speed;
    (model[placed.node] as NodeModel).running.push({ cpu: this.cpu, end });
    (model[placed.node] as NodeModel).cpuFree -= this.cpu;
    const node = real.nodes[placed.node] as NodeState;
    node.running += 1;
    node.free.cpu = (node.free.cpu ?? 0) - this.cpu;
    node.ends.push({ at: end, resources: { cpu: this.cpu } });
  }
  toString = (): string => `place ${this.mode} cpu ${this.cpu} est ${this.estimateMs}`;
}

/** `finish`: the attempt expected to end first on the cluster ends, and the clock moves there. */
class FinishCommand implements fc.AsyncCommand<NodeModel[], Cluster> {
  check = (model: Readonly<NodeModel[]>): boolean => model.some((node) => node.running.length > 0);
  async run(model: NodeModel[], real: Cluster): Promise<void> {
    const at = model.findIndex((node) => node.running.length > 0);
    const nodeModel = model[at] as NodeModel;
    const run = nodeModel.running.shift() as { cpu: number; end: number };
    nodeModel.cpuFree += run.cpu;
    const node = real.nodes[at] as NodeState;
    node.running -= 1;
    node.free.cpu = (node.free.cpu ?? 0) + run.cpu;
    node.ends.splice(node.ends.findIndex((end) => end.at === run.end && end.resources.cpu === run.cpu), 1);
    real.now = Math.max(real.now, run.end);
    expect(node.running).toBe(nodeModel.running.length);
  }
  toString = (): string => 'finish';
}

describe('placeTask', () => {
  it.each(LOAD_BALANCING_MODES)('%s never over-fills a node and picks its own choice, against a model (fc.commands)', async (mode) => {
    const nodeSpecs = fc.array(fc.record({ maxWorkers: fc.integer({ min: 1, max: 3 }), cpu: fc.integer({ min: 1, max: 4 }), speed: fc.constantFrom(0.5, 1, 2) }), { minLength: 1, maxLength: 4 });
    const commands = fc.commands([
      fc.record({ cpu: fc.integer({ min: 0, max: 4 }), estimateMs: fc.integer({ min: 1, max: 50 }) }).map(({ cpu, estimateMs }) => new PlaceCommand(mode, cpu, estimateMs)),
      fc.constant(new FinishCommand()),
    ], { maxCommands: 40 });
    await fc.assert(
      fc.asyncProperty(nodeSpecs, commands, async (specs, cmds) => {
        const model: NodeModel[] = specs.map((s, i) => ({ name: `n${i}`, maxWorkers: s.maxWorkers, speed: s.speed, cpuCapacity: s.cpu, running: [], cpuFree: s.cpu }));
        const nodes: NodeState[] = specs.map((s, i) => ({ name: `n${i}`, maxWorkers: s.maxWorkers, speed: s.speed, capacity: { cpu: s.cpu }, running: 0, free: { cpu: s.cpu }, ends: [] }));
        await fc.asyncModelRun(() => ({ model, real: { nodes, cursor: { next: 0 }, now: 0 } }), cmds);
        for (const [at, node] of nodes.entries()) {
          expect(node.running).toBeLessThanOrEqual(node.maxWorkers);
          expect(node.free.cpu).toBeGreaterThanOrEqual(0);
          expect(node.running).toBe(model[at]?.running.length);
        }
      }),
      { numRuns: 60 },
    );
  });
});
