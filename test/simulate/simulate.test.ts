import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agingRatePerMs } from '../../src/policies/agingRatePerMs.js';
import { createUpwardRank } from '../../src/policies/createUpwardRank.js';
import { criticalPathPolicy } from '../../src/policies/criticalPathPolicy.js';
import { compareShortestFirst } from '../../src/policies/shortestFirstPolicy.js';
import { compareSimulations } from '../../src/simulate/compareSimulations.js';
import { computeLowerBound } from '../../src/simulate/computeLowerBound.js';
import { waitStats } from '../../src/simulate/computeMetrics.js';
import { createRandom } from '../../src/simulate/createRandom.js';
import { formatTable } from '../../src/simulate/formatTable.js';
import { generateDagWorkload } from '../../src/simulate/generateDagWorkload.js';
import { checkInvariants, checkStarvation, type InvariantOptions } from '../../src/simulate/invariants.js';
import { loadStgWorkload } from '../../src/simulate/loadStgWorkload.js';
import { normalizeWorkload } from '../../src/simulate/normalizeWorkload.js';
import { parseStg } from '../../src/simulate/parseStg.js';
import { sampleDurationMs } from '../../src/simulate/sampleDurationMs.js';
import { simulate } from '../../src/simulate/simulate.js';
import { traceToSvg } from '../../src/simulate/traceToSvg.js';
import type { Trace } from '../../src/simulate/types.js';
import type { PolicyContext, PolicyName, QueuedTask, SchedulingPolicy } from '../../src/types.js';
import { heapQueue } from '../../src/policies/heapQueue.js';
import { skipWithout, stgDir } from '../support/requireTool.js';
import type { SettingContext } from '../../src/policies/criticalPathPolicy.js';

/** The STG graphs (test/fixtures/stg/, or XENO_STG_DIR). */
const stgFiles = (size: '50' | '100'): string[] =>
  readdirSync(`${stgDir()}${size}`)
    .filter((f) => f.endsWith('.stg'))
    .sort()
    .map((f) => `${stgDir()}${size}/${f}`);

/** The critical-path policy's order, rebuilt from a trace. */
function criticalPathOrder(trace: Trace): (a: QueuedTask, b: QueuedTask) => number {
  const dependents = new Map<string, string[]>();
  for (const task of trace.tasks) for (const d of task.dependencies) dependents.set(d, [...(dependents.get(d) ?? []), task.id]);
  const estimates = new Map(trace.tasks.map((t) => [t.id, t.estimateMs ?? undefined]));
  const rank = createUpwardRank({ dependentsOf: (id) => dependents.get(id) ?? [], estimateOf: (id) => estimates.get(id) });
  const successors = (id: string): number => dependents.get(id)?.length ?? 0;
  return (a, b) => rank(b.id) - rank(a.id) || b.priority - a.priority || successors(b.id) - successors(a.id) || a.seq - b.seq;
}

/**
 * The order each built-in policy promises, or none: fair-share's depends on what runs, and the
 * critical-path lookahead may start any of the best-ranked startable tasks (its rank order alone
 * is checked with the lookahead off).
 */
const promisedOrder: Record<PolicyName | 'critical-path, rank only', (trace: Trace) => InvariantOptions> = {
  priority: () => ({ order: 'priority' }),
  fifo: () => ({ order: (a, b) => a.seq - b.seq }),
  'shortest-first': () => ({ order: compareShortestFirst }),
  'critical-path, rank only': (trace) => ({ order: criticalPathOrder(trace) }),
  'critical-path': () => ({}),
  'fair-share': () => ({}),
};
const POLICIES = Object.keys(promisedOrder) as (keyof typeof promisedOrder)[];
const policyOf = (name: keyof typeof promisedOrder): PolicyName | SchedulingPolicy =>
  name === 'critical-path, rank only' ? criticalPathPolicy({ lookahead: 0 }) : name;

describe('generateDagWorkload', () => {
  it('makes a layered DAG: dependencies only on earlier tasks, at most fanIn of them, every task estimated', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 4 }), fc.nat(), (tasks, fanIn, seed) => {
        const layers = 1 + (seed % tasks);
        const workload = generateDagWorkload({ tasks, layers, fanIn, seed, durationSpread: 5 });
        const names = Object.keys(workload.tasks);
        expect(names).toHaveLength(tasks);
        names.forEach((name, at) => {
          const task = workload.tasks[name];
          expect(task?.dependencies?.length ?? 0).toBeLessThanOrEqual(fanIn);
          for (const d of task?.dependencies ?? []) expect(names.indexOf(d)).toBeLessThan(at);
          expect(task?.estimate).toBeGreaterThanOrEqual(1);
          expect(task?.estimate).toBeLessThanOrEqual(5);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('gives the same workload for the same seed and asks for resources as the mix says', () => {
    const options = { tasks: 100, seed: 9, resourceMix: { cpu: { share: 0.5, max: 2 } } };
    expect(generateDagWorkload(options)).toEqual(generateDagWorkload(options));
    const asking = Object.values(generateDagWorkload(options).tasks).filter((t) => t.resources?.cpu !== undefined);
    expect(asking.length).toBeGreaterThan(30);
    expect(asking.length).toBeLessThan(70);
    expect(asking.every((t) => (t.resources?.cpu ?? 0) >= 1 && (t.resources?.cpu ?? 0) <= 2)).toBe(true);
  });

  it('rejects more layers than tasks, naming the field', () => {
    expect(() => generateDagWorkload({ tasks: 3, layers: 4 })).toThrow(/layers ≤ tasks \(3\), received 4/);
  });
});

describe('parseStg', () => {
  it('reads every STG graph with the critical path its header states', async (context) => {
    skipWithout(context, 'STG data');
    for (const file of [...stgFiles('50'), ...stgFiles('100')]) {
      const graph = await loadStgWorkload(file);
      const tasks = normalizeWorkload(graph).map((t) => ({ ...t, durationMs: t.estimateMs ?? 0 }));
      expect(computeLowerBound(tasks, 1, {}).criticalPathMs, file).toBe((graph.criticalPath ?? Number.NaN) * 1000);
    }
  });

  it('drops the implied entry task and names the line of a malformed row', () => {
    expect(parseStg('3\n0 0 0\n1 3 1 0\n2 4 1 1\n').tasks).toEqual({
      t1: { estimate: 3, dependencies: [] },
      t2: { estimate: 4, dependencies: ['t1'] },
    });
    expect(() => parseStg('1 3 2 0\n', 'g.stg')).toThrow(/g\.stg:1: expected 2 predecessors after the count, found 1/);
  });
});

describe('sampleDurationMs', () => {
  it('draws within each distribution and reproducibly for a seed', () => {
    const random = createRandom(5);
    const draws = (d: Parameters<typeof sampleDurationMs>[0]) => Array.from({ length: 2000 }, () => sampleDurationMs(d, random));
    const uniform = draws({ distribution: 'uniform', minMs: 10, maxMs: 20 });
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...uniform)).toBeLessThanOrEqual(20);
    const normal = draws({ distribution: 'normal', meanMs: 1, stddevMs: 5 });
    expect(Math.min(...normal)).toBeGreaterThan(0);
    const exponential = draws({ distribution: 'exponential', meanMs: 100 });
    expect(waitStats(exponential).meanMs).toBeGreaterThan(90);
    expect(waitStats(exponential).meanMs).toBeLessThan(110);
    expect(sampleDurationMs({ distribution: 'fixed', valueMs: 7 }, random)).toBe(7);
    expect(createRandom(5)()).toBe(createRandom(5)());
  });
});

describe('waitStats', () => {
  it('uses the nearest-rank 95th percentile', () => {
    expect(waitStats(Array.from({ length: 20 }, (_, i) => i + 1))).toEqual({ count: 20, meanMs: 10.5, p95Ms: 19, maxMs: 20 });
    expect(waitStats([])).toEqual({ count: 0, meanMs: 0, p95Ms: 0, maxMs: 0 });
  });
});

describe('simulate', () => {
  it('runs a small workload to the makespan its durations imply', async () => {
    const { trace, metrics } = await simulate(
      { tasks: { build: { estimate: 30 }, test: { estimate: 60, dependencies: ['build'] }, lint: { estimate: 5, priority: 'low' } } },
      { policy: 'priority', maxWorkers: 2 },
    );
    expect(metrics.makespanMs).toBe(90_000);
    expect(metrics.lowerBound.criticalPathMs).toBe(90_000);
    expect(metrics.ratio).toBe(1);
    expect(metrics.outcomes).toEqual({ completed: 3, failed: 0, cancelled: 0 });
    expect(trace.events.filter((e) => e.to === 'running').map((e) => [e.task, e.time])).toEqual([
      ['build', 0],
      ['lint', 0],
      ['test', 30_000],
    ]);
    expect(metrics.wait.byPriority).toMatchObject({ '2': { count: 1 }, '3': { count: 2 } });
  });

  it('gives a byte-identical trace for the same seed, and other durations for another seed', async () => {
    const workload = {
      tasks: Object.fromEntries(
        Object.entries(generateDagWorkload({ tasks: 40, seed: 2 }).tasks).map(([name, task]) => [
          name,
          { ...task, duration: { distribution: 'exponential' as const, mean: task.estimate ?? 1 } },
        ]),
      ),
    };
    const run = async (seed: number) => JSON.stringify((await simulate(workload, { policy: 'critical-path', seed })).trace);
    const first = await run(11);
    expect(await run(11)).toBe(first);
    expect(await run(12)).not.toBe(first);
  });

  it('sees every attempt that ends at the same instant before it dispatches again', async () => {
    // At 2 s `a` and `c` end together. Taking in `a` alone would start the low-ranked `x` on its
    // worker before `c`'s end makes d1 and d2 ready.
    const workload = {
      tasks: {
        b: { estimate: 1 },
        a: { estimate: 2 },
        x: { estimate: 1 },
        c: { estimate: 1, dependencies: ['b'] },
        d1: { estimate: 5, dependencies: ['c'] },
        d2: { estimate: 5, dependencies: ['c'] },
      },
    };
    const { trace } = await simulate(workload, { policy: criticalPathPolicy({ lookahead: 0 }), maxWorkers: 2 });
    const startsAt2 = trace.events.filter((e) => e.to === 'running' && e.time === 2000).map((e) => e.task);
    expect(startsAt2).toEqual(['d1', 'd2']);
    expect(checkInvariants(trace)).toEqual([]);
  });

  it('keeps every invariant, and the order it promises, for every policy on random small DAGs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          tasks: fc.integer({ min: 1, max: 14 }),
          fanIn: fc.integer({ min: 1, max: 3 }),
          seed: fc.nat(),
          maxWorkers: fc.integer({ min: 1, max: 4 }),
          policy: fc.constantFrom(...POLICIES),
          withResources: fc.boolean(),
        }),
        async ({ tasks, fanIn, seed, maxWorkers, policy, withResources }) => {
          const workload = generateDagWorkload({
            tasks,
            fanIn,
            seed,
            groups: ['a', 'b'],
            resourceMix: withResources ? { cpu: { share: 0.6, max: 3 } } : {},
          });
          const { trace, metrics } = await simulate(workload, { policy: policyOf(policy), maxWorkers, resources: { cpu: 3 }, seed });
          expect(checkInvariants(trace, promisedOrder[policy](trace))).toEqual([]);
          expect(metrics.makespanMs).toBeGreaterThanOrEqual(metrics.lowerBound.valueMs);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('runs the STG graphs on 4 workers within their lower bound and every invariant', async (context) => {
    skipWithout(context, 'STG data');
    for (const file of stgFiles('50').slice(0, 4)) {
      const { trace, metrics } = await simulate(await loadStgWorkload(file), { policy: 'critical-path', maxWorkers: 4 });
      expect(checkInvariants(trace)).toEqual([]);
      expect(metrics.ratio, file).toBeGreaterThanOrEqual(1);
      expect(metrics.ratio, file).toBeLessThan(1.5);
    }
  });

  it('lets aging end the starvation of a low-priority task behind a stream of high-priority ones', async () => {
    const tasks: Record<string, { estimate: number; priority: 'lowest' | 'highest'; dependencies?: string[] }> = {
      low: { estimate: 10, priority: 'lowest' },
    };
    for (let i = 0; i < 30; i++) tasks[`h${i}`] = { estimate: 10, priority: 'highest', ...(i > 0 ? { dependencies: [`h${i - 1}`] } : {}) };
    const aging = { priorityBoost: 1.2, agingIntervalMs: 60_000 };
    const rate = agingRatePerMs(aging.priorityBoost, aging.agingIntervalMs);
    const plain = await simulate({ tasks }, { policy: 'priority', maxWorkers: 1 });
    expect(plain.metrics.longestWait).toEqual({ task: 'low', waitMs: 300_000 });
    expect(checkStarvation(plain.trace, { agingRatePerMs: rate })).toHaveLength(1);
    const aged = await simulate({ tasks }, { policy: 'priority', policyOptions: aging, maxWorkers: 1 });
    expect(aged.metrics.longestWait?.waitMs).toBeLessThanOrEqual(210_000);
    expect(checkInvariants(aged.trace, { order: 'priority', agingRatePerMs: rate })).toEqual([]);
  });

  it('shares workers between groups by weight under fair-share', async () => {
    const tasks = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`t${i}`, { estimate: 10, group: i % 2 ? 'heavy' : 'light' }]),
    );
    const { trace } = await simulate({ tasks }, { policy: 'fair-share', policyOptions: { groupWeights: { heavy: 3 } }, maxWorkers: 4 });
    const firstWave = trace.events.filter((e) => e.to === 'running' && e.time === 0).map((e) => trace.tasks.find((t) => t.id === e.task)?.group);
    expect(firstWave.filter((g) => g === 'heavy')).toHaveLength(3);
  });

  it('refuses a task with neither estimate nor duration, naming it', async () => {
    await expect(simulate({ tasks: { x: {} } })).rejects.toThrow(/task "x" to have an estimate or a duration/);
  });
});

describe('traceToSvg', () => {
  it('draws one bar per attempt in its worker row, the same for the same trace', async () => {
    const { trace } = await simulate(generateDagWorkload({ tasks: 12, seed: 4 }), { maxWorkers: 3 });
    const svg = traceToSvg(trace);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect /g)).toHaveLength(12);
    expect(svg).toContain('worker 2');
    expect(traceToSvg(trace)).toBe(svg);
  });
});

describe('compareSimulations', () => {
  it('returns one row per policy, in order, each no better than the lower bound', async () => {
    const rows = await compareSimulations(generateDagWorkload({ tasks: 30, seed: 8 }), ['fifo', 'critical-path'], { maxWorkers: 3 });
    expect(rows.map((r) => r.policy)).toEqual(['fifo', 'critical-path']);
    for (const row of rows) expect(row.makespanMs).toBeGreaterThanOrEqual(row.lowerBoundMs);
    expect(formatTable(rows).split('\n')[0]).toMatch(/^policy\s+makespanMs\s+lowerBoundMs\s+ratio/);
  });
});

describe('withSetting', () => {
  it('hands the setting to the queue and calls a class-based policy on itself, private fields and all', async () => {
    class CountingFifo implements SchedulingPolicy {
      readonly name = 'counting-fifo';
      #started = 0;
      seen: { maxWorkers?: number | undefined; capacity?: unknown } = {};
      get started(): number {
        return this.#started;
      }
      createQueue(context: PolicyContext) {
        this.seen = { maxWorkers: (context as SettingContext).maxWorkers, capacity: (context as SettingContext).capacity };
        return heapQueue((a, b) => a.seq - b.seq);
      }
      onStart(): void {
        this.#started += 1;
      }
    }
    const policy = new CountingFifo();
    const { metrics } = await simulate({ tasks: { a: { estimate: 1 }, b: { estimate: 1 } } }, { policy, maxWorkers: 3, resources: { cpu: 2 } });
    expect(metrics.outcomes.completed).toBe(2);
    expect(policy.started).toBe(2);
    expect(policy.seen).toEqual({ maxWorkers: 3, capacity: { cpu: 2 } });
  });
});
