import type { PolicyName, SchedulingPolicy } from '../types.js';
import { simulate, type SimulateOptions } from './simulate.js';
import type { SimulationMetrics, SimulationWorkload } from './types.js';

/** One row of {@link compareSimulations}: the headline metrics of one policy. */
export interface ComparisonRow {
  readonly policy: string;
  readonly makespanMs: number;
  readonly lowerBoundMs: number;
  /** makespan ÷ lower bound. */
  readonly ratio: number;
  readonly meanWaitMs: number;
  readonly p95WaitMs: number;
  readonly maxWaitMs: number;
  /** Busy worker time ÷ (maxWorkers × makespan). */
  readonly workerUtilization: number;
}

/**
 * Simulates the same workload, seed and setting under each policy and returns one row of
 * metrics per policy, in the order given: what `xeno-scheduler simulate --compare` prints.
 *
 * @example
 * const rows = await compareSimulations(workload, ['fifo', 'critical-path'], { maxWorkers: 4, seed: 1 });
 * console.log(formatComparisonTable(rows));
 */
export async function compareSimulations(
  workload: SimulationWorkload,
  policies: readonly (PolicyName | SchedulingPolicy)[],
  options: Omit<SimulateOptions, 'policy'> = {},
): Promise<ComparisonRow[]> {
  const rows: ComparisonRow[] = [];
  const { speculate, ...without } = options;
  for (const policy of policies) {
    const name = typeof policy === 'string' ? policy : policy.name;
    rows.push(comparisonRow(name, (await simulate(workload, { ...without, policy })).metrics));
    // With speculate, each policy is shown without and with it: what the backups buy.
    if (speculate !== undefined) rows.push(comparisonRow(`${name} + speculate`, (await simulate(workload, { ...without, policy, speculate })).metrics));
  }
  return rows;
}

/**
 * The headline metrics of one run as a {@link ComparisonRow} labelled `policy`: also the real
 * run's row beside its replays.
 *
 * @example
 * comparisonRow('real run (priority)', replayOf(report).real);
 */
export function comparisonRow(policy: string, metrics: SimulationMetrics): ComparisonRow {
  return {
    policy,
    makespanMs: metrics.makespanMs,
    lowerBoundMs: metrics.lowerBound.valueMs,
    ratio: metrics.ratio,
    meanWaitMs: metrics.wait.all.meanMs,
    p95WaitMs: metrics.wait.all.p95Ms,
    maxWaitMs: metrics.wait.all.maxMs,
    workerUtilization: metrics.utilization.workers,
  };
}
