import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { criticalPathPolicy } from '../src/policies/criticalPathPolicy.js';
import { estimateMakespan, type PlanState } from '../src/policies/estimateMakespan.js';
import { checkInvariants } from '../src/simulate/invariants.js';
import { loadStgWorkload } from '../src/simulate/loadStgWorkload.js';
import { simulate } from '../src/simulate/simulate.js';

const STG_DIR = fileURLToPath(new URL('../../shared/data/stg/', import.meta.url));
const hasStg = existsSync(STG_DIR);
if (!hasStg) console.warn(`STG graphs not found at ${STG_DIR}: the STG optimality test is skipped`);

/**
 * Published optimal schedule lengths of the Standard Task Graph Set (Kasahara Laboratory) for
 * rand0000-rand0009: STG-50 on 2, 4, 8 processors and STG-100 on 2, 4, 8, 16.
 */
const OPTIMAL = {
  '50': { workers: [2, 4, 8], lengths: [[131, 66, 55], [149, 94, 89], [121, 71, 71], [145, 73, 52], [116, 71, 71], [314, 170, 170], [216, 108, 101], [260, 130, 77], [281, 183, 183], [263, 133, 126]] },
  '100': {
    workers: [2, 4, 8, 16],
    lengths: [
      [291, 146, 94, 94], [267, 134, 81, 81], [288, 175, 175, 175], [263, 132, 129, 129], [267, 134, 84, 84],
      [518, 332, 332, 332], [570, 299, 299, 299], [558, 279, 205, 205], [517, 259, 166, 166], [584, 309, 309, 309],
    ],
  },
} as const;

const plan = (overrides: Partial<PlanState>): PlanState => ({
  now: 0,
  maxWorkers: 2,
  capacity: undefined,
  running: [],
  ready: [],
  waitingOn: new Map(),
  rankOf: () => 0,
  estimateOf: () => 1000,
  resourcesOf: () => ({}),
  dependentsOf: () => [],
  ...overrides,
});

describe('estimateMakespan', () => {
  it('list-schedules the rest of the run by rank from the candidate start, releasing dependents as work ends', () => {
    // a (running until 3 s) unblocks c; b is the candidate; c and d wait on a and on c.
    const estimates: Record<string, number> = { a: 3000, b: 1000, c: 2000, d: 1000 };
    const state = plan({
      running: [{ id: 'a', end: 3000, resources: {} }],
      ready: ['b'],
      waitingOn: new Map([['c', 1], ['d', 1]]),
      estimateOf: (id) => estimates[id] ?? 0,
      dependentsOf: (id) => ({ a: ['c'], c: ['d'] })[id] ?? [],
    });
    expect(estimateMakespan(state, 'b')).toBe(6000);
  });

  it('reserves for a blocked task ranked first, as the pump does, and answers Infinity for a request that never fits', () => {
    const resources: Record<string, Record<string, number>> = { big: { cpu: 2 }, small: { cpu: 1 }, first: { cpu: 1 } };
    const state = plan({
      capacity: { cpu: 2 },
      ready: ['first', 'big', 'small'],
      rankOf: (id) => ({ first: 3, big: 2, small: 1 })[id] ?? 0,
      resourcesOf: (id) => resources[id] ?? {},
    });
    // first 0-1 s; small may not jump ahead of the blocked big: big 1-2 s, small 2-3 s.
    expect(estimateMakespan(state, 'first')).toBe(3000);
    expect(estimateMakespan(plan({ capacity: { cpu: 1 }, ready: ['x', 'huge'], resourcesOf: (id) => (id === 'huge' ? { cpu: 2 } : {}) }), 'x')).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe('criticalPathPolicy with lookahead', () => {
  // Two workers: both start t0 and t3; when t0 ends, rank order starts t5 (the chain t5 → t6),
  // the rollout finds that starting t4 first and t5 when t3 ends finishes the run 0.2 s sooner.
  const workload = {
    tasks: {
      t0: { priority: 3, estimate: 2.404 },
      t1: { priority: 4, estimate: 2.083 },
      t2: { priority: 2, estimate: 1.171 },
      t3: { priority: 3, estimate: 3.188 },
      t4: { priority: 5, estimate: 2.74 },
      t5: { priority: 1, estimate: 1.476, dependencies: ['t0'] },
      t6: { priority: 4, estimate: 4.312, dependencies: ['t5'] },
    },
  } as const;

  it('starts a lower-ranked task when the rollout shows the run ends sooner, and only when told the setting', async () => {
    const rankOnly = await simulate(workload, { policy: criticalPathPolicy({ lookahead: 0 }), maxWorkers: 2 });
    const withLookahead = await simulate(workload, { policy: 'critical-path', maxWorkers: 2 });
    const starts = (trace: typeof rankOnly.trace) => trace.events.filter((e) => e.to === 'running').map((e) => e.task);
    expect(starts(rankOnly.trace)).toEqual(['t0', 't3', 't5', 't4', 't6', 't1', 't2']);
    expect(starts(withLookahead.trace)).toEqual(['t0', 't3', 't4', 't5', 't6', 't1', 't2']);
    expect(rankOnly.metrics.makespanMs).toBe(9182);
    expect(withLookahead.metrics.makespanMs).toBe(8976);
    expect(checkInvariants(withLookahead.trace)).toEqual([]);
  });

  it('refuses a lookahead that is not a whole number >= 0, naming it', () => {
    expect(() => criticalPathPolicy({ lookahead: -1 })).toThrow('criticalPathPolicy: expected lookahead to be an integer >= 0, received -1');
    expect(() => criticalPathPolicy({ lookahead: 1.5 })).toThrow(/received 1\.5/);
  });

  it.skipIf(!hasStg)('is optimal on 66 of the 70 STG cases with published optimal lengths (the target was 60), at worst 1.06% over', async () => {
    let optimal = 0;
    let worstOver = 0;
    for (const [size, { workers, lengths }] of Object.entries(OPTIMAL)) {
      for (const [graph, optima] of lengths.entries()) {
        const workload = await loadStgWorkload(`${STG_DIR}${size}/rand000${graph}.stg`);
        for (const [at, maxWorkers] of workers.entries()) {
          const { metrics } = await simulate(workload, { policy: 'critical-path', maxWorkers });
          const best = (optima[at] as number) * 1000;
          expect(metrics.makespanMs, `${size}/rand000${graph} on ${maxWorkers}`).toBeGreaterThanOrEqual(best);
          if (metrics.makespanMs === best) optimal += 1;
          worstOver = Math.max(worstOver, metrics.makespanMs / best - 1);
        }
      }
    }
    // Measured: 66 of 70, worst 1.06% over (rank order alone, before this policy: 55, worst 2.13%).
    expect(optimal).toBeGreaterThanOrEqual(66);
    expect(worstOver).toBeLessThan(0.011);
  });
});
