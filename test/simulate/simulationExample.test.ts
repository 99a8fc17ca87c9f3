import { describe, expect, it } from 'vitest';
import type { ComparisonRow } from '../../src/simulate/compareSimulations.js';
import { runMain } from '../cli/runMain.js';

const example = 'config/examples/simulation-dag.yaml';
const policies = ['fifo', 'priority', 'shortest-first', 'critical-path', 'fair-share'];

async function compare(seed: number): Promise<Map<string, ComparisonRow>> {
  const { code, stdout } = await runMain(['simulate', example, '--compare', policies.join(','), '--seed', String(seed), '--json']);
  expect(code).toBe(0);
  const { policies: rows } = JSON.parse(stdout) as { policies: ComparisonRow[] };
  return new Map(rows.map((row) => [row.policy, row]));
}

describe('config/examples/simulation-dag.yaml', () => {
  it.each([0, 1, 2, 3])('shows the policies apart: starting the long chain first pays off (seed %i)', async (seed) => {
    const rows = await compare(seed);
    const makespan = (policy: string): number => rows.get(policy)?.makespanMs ?? Number.NaN;
    // The chain's rank (critical-path) or its short estimates (shortest-first) start it at once;
    // fifo and priority let four long side jobs go first and the chain waits for a worker.
    for (const quick of ['critical-path', 'shortest-first']) {
      for (const slow of ['fifo', 'priority']) expect(makespan(quick)).toBeLessThan(makespan(slow) * 0.95);
    }
    expect(new Set([...rows.values()].map((row) => row.makespanMs.toFixed(0))).size).toBeGreaterThanOrEqual(3);
    expect(rows.get('priority')?.meanWaitMs).not.toBe(rows.get('fifo')?.meanWaitMs);
  });
});
