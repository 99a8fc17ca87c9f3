import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { agingRatePerMs } from '../src/policies/agingRatePerMs.js';
import type { ResolvePolicyOptions } from '../src/policies/resolvePolicy.js';
import { formatTable } from '../src/simulate/formatTable.js';
import { generateDagWorkload, type GenerateDagWorkloadOptions } from '../src/simulate/generateDagWorkload.js';
import { checkInvariants } from '../src/simulate/invariants.js';
import { computeLowerBound } from '../src/simulate/computeLowerBound.js';
import { drawDurations } from '../src/simulate/drawDurations.js';
import { normalizeWorkload } from '../src/simulate/normalizeWorkload.js';
import type { SimulatedLoadBalancing, SimulationWorkload } from '../src/simulate/types.js';
import { simulate } from '../src/simulate/simulate.js';
import { waitBounds } from '../src/simulate/waitBounds.js';
import type { PolicyName } from '../src/types.js';

/** Random workloads per scenario. */
const workloads = 100;
/** Aging of the "priority + aging" row: the seed's priority_boost per one-minute interval. */
const aging = { priorityBoost: 1.2, agingIntervalMs: 60_000 };

interface Scenario {
  readonly name: string;
  readonly maxWorkers: number;
  readonly resources?: Readonly<Record<string, number>>;
  readonly generate: Omit<GenerateDagWorkloadOptions, 'seed'>;
}

const scenarios: readonly Scenario[] = [
  {
    name: 'workers only: 200 tasks, 20 layers, fan-in 3, estimates 1-20 s, 6 workers',
    maxWorkers: 6,
    generate: { tasks: 200, layers: 20, fanIn: 3, durationSpread: 20, groups: ['a', 'b', 'c'] },
  },
  {
    name: 'with resources: same graphs shape, 40% ask 1-3 cpu of 6, 30% ask 1-4 memory of 8, 6 workers',
    maxWorkers: 6,
    resources: { cpu: 6, memory: 8 },
    generate: {
      tasks: 200,
      layers: 20,
      fanIn: 3,
      durationSpread: 20,
      groups: ['a', 'b', 'c'],
      resourceMix: { cpu: { share: 0.4, max: 3 }, memory: { share: 0.3, max: 4 } },
    },
  },
];

const policies: readonly { label: string; policy: PolicyName; options: ResolvePolicyOptions }[] = [
  { label: 'fifo', policy: 'fifo', options: {} },
  { label: 'priority', policy: 'priority', options: {} },
  { label: 'priority + aging', policy: 'priority', options: aging },
  { label: 'shortest-first', policy: 'shortest-first', options: {} },
  { label: 'critical-path', policy: 'critical-path', options: {} },
  { label: 'fair-share', policy: 'fair-share', options: { groupWeights: { a: 2 } } },
];

/** One row of the table: a policy's results over every workload of a scenario. */
interface Row {
  policy: string;
  meanRatio: number;
  worstRatio: number;
  meanWaitS: number;
  maxWaitS: number;
  /** Largest wait ÷ its aging bound over all tasks (priority + aging only); ≤ 1 means the bound held. */
  worstWaitOverBound: number | string;
  violations: number;
}

async function runScenario(scenario: Scenario): Promise<Row[]> {
  const rows = policies.map((p) => ({ ...p, ratios: [] as number[], waits: [] as number[], maxWait: 0, overBound: 0, violations: 0 }));
  for (let seed = 0; seed < workloads; seed++) {
    const workload = generateDagWorkload({ ...scenario.generate, seed });
    for (const row of rows) {
      const { trace, metrics } = await simulate(workload, {
        policy: row.policy,
        policyOptions: row.options,
        maxWorkers: scenario.maxWorkers,
        ...(scenario.resources ? { resources: scenario.resources } : {}),
        seed,
      });
      row.ratios.push(metrics.ratio);
      row.waits.push(metrics.wait.all.meanMs);
      row.maxWait = Math.max(row.maxWait, metrics.wait.all.maxMs);
      const rate = row.options.priorityBoost ? agingRatePerMs(row.options.priorityBoost, row.options.agingIntervalMs) : 0;
      row.violations += checkInvariants(trace, { agingRatePerMs: rate, ...(row.policy === 'priority' ? { order: 'priority' } : {}) }).length;
      if (rate > 0) {
        for (const bound of waitBounds(trace, { agingRatePerMs: rate })) {
          row.overBound = Math.max(row.overBound, bound.waitMs / bound.boundMs);
        }
      }
    }
  }
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  return rows.map((row) => ({
    policy: row.label,
    meanRatio: mean(row.ratios),
    worstRatio: Math.max(...row.ratios),
    meanWaitS: mean(row.waits) / 1000,
    maxWaitS: row.maxWait / 1000,
    worstWaitOverBound: row.options.priorityBoost ? row.overBound : '-',
    violations: row.violations,
  }));
}

/** The unequal cluster of the nodes scenario: 8 workers, 11 worker-speed units. */
const cluster = {
  fast: { maxWorkers: 2, resources: { cpu: 4, memory: 8 }, speed: 2 },
  mid: { maxWorkers: 2, resources: { cpu: 4, memory: 4 }, speed: 1 },
  slow: { maxWorkers: 4, resources: { cpu: 6, memory: 8 }, speed: 0.5 },
} as const;
const nodesWorkload: Omit<GenerateDagWorkloadOptions, 'seed'> = { ...(scenarios[1] as Scenario).generate };
const placements: readonly { label: string; loadBalancing: SimulatedLoadBalancing }[] = [
  { label: 'round_robin', loadBalancing: 'round_robin' },
  { label: 'least_loaded', loadBalancing: 'least_loaded' },
  { label: 'resource_aware', loadBalancing: 'resource_aware' },
  { label: 'HEFT (earliest_finish)', loadBalancing: 'earliest_finish' },
];

/**
 * No schedule on the cluster is shorter than the critical path on the fastest node, nor than the
 * total work spread over every worker at its node's speed.
 */
function clusterLowerBound(workload: SimulationWorkload, seed: number): number {
  const tasks = normalizeWorkload(workload);
  const durations = drawDurations(tasks, seed);
  const fastest = Math.max(...Object.values(cluster).map((node) => node.speed));
  const capacity = Object.values(cluster).reduce((sum, node) => sum + node.maxWorkers * node.speed, 0);
  const bound = computeLowerBound(tasks.map((task, at) => ({ ...task, durationMs: durations[at] ?? 0 })), 1, {});
  return Math.max(bound.criticalPathMs / fastest, bound.workPerWorkerMs / capacity);
}

async function runNodesScenario(): Promise<Record<string, string | number>[]> {
  const rows = placements.map((p) => ({ ...p, makespans: [] as number[], ratios: [] as number[], violations: 0 }));
  for (let seed = 0; seed < workloads; seed++) {
    const workload = generateDagWorkload({ ...nodesWorkload, seed });
    const bound = clusterLowerBound(workload, seed);
    for (const row of rows) {
      const { trace, metrics } = await simulate(workload, { policy: 'critical-path', nodes: cluster, loadBalancing: row.loadBalancing, seed });
      row.makespans.push(metrics.makespanMs);
      row.ratios.push(metrics.makespanMs / bound);
      row.violations += checkInvariants(trace).length;
    }
  }
  const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return rows.map((row) => ({
    placement: row.label,
    medianMakespanS: median(row.makespans) / 1000,
    medianRatio: median(row.ratios),
    worstRatio: Math.max(...row.ratios),
    violations: row.violations,
  }));
}

/**
 * For each scenario, simulates 100 random layered DAGs of 200 tasks under every built-in policy
 * and prints the mean and worst makespan ÷ lower bound, waits, the worst wait ÷ aging bound for
 * `priority` with aging, and the number of invariant violations (expected 0); then the same
 * resource graphs on a cluster of unequal nodes under each load-balancing mode and HEFT.
 *
 * @example
 * // npm run bench, or directly:
 * // node --import tsx bench/policies.bench.ts
 * await run();
 */
export async function run(): Promise<void> {
  const started = performance.now();
  for (const scenario of scenarios) {
    console.log(`\n${workloads} workloads, ${scenario.name}`);
    console.log(formatTable(await runScenario(scenario), 3));
  }
  const speeds = Object.entries(cluster).map(([name, node]) => `${name} ${node.maxWorkers} × speed ${node.speed}`).join(', ');
  console.log(`\n${workloads} workloads, unequal nodes: the resource graphs, critical-path order, ${speeds}; ratio over the cluster's lower bound`);
  console.log(formatTable(await runNodesScenario(), 3));
  console.log(`\naging: priority_boost ${aging.priorityBoost} per ${aging.agingIntervalMs / 1000} s; ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
