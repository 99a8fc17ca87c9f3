import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { criticalPathPolicy } from '../../src/policies/criticalPathPolicy.js';
import { estimateMakespan, planRollouts, workBound, type PlanState } from '../../src/policies/estimateMakespan.js';
import { generateDagWorkload } from '../../src/simulate/generateDagWorkload.js';
import { simulate } from '../../src/simulate/simulate.js';
import { referenceCriticalPathPolicy } from '../support/referenceCriticalPath.js';
import { referenceMakespan } from '../support/referenceMakespan.js';

/**
 * A random moment of a run on a small DAG: some tasks done, some running, some ready (in any
 * order: the queue's order breaks equal ranks by priority, which the rollout's does not see),
 * the rest waiting; small integer estimates and ranks, so that ties are common; pools or none.
 */
const planStates = fc
  .record({
    size: fc.integer({ min: 1, max: 12 }),
    edges: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }),
    estimates: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 12, maxLength: 12 }),
    ranks: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 12, maxLength: 12 }),
    states: fc.array(fc.constantFrom('done', 'running', 'ready', 'waiting'), { minLength: 12, maxLength: 12 }),
    requests: fc.array(fc.record({ cpu: fc.integer({ min: 0, max: 3 }), mem: fc.integer({ min: 0, max: 2 }) }), { minLength: 12, maxLength: 12 }),
    capacity: fc.option(fc.record({ cpu: fc.integer({ min: 1, max: 4 }), mem: fc.integer({ min: 1, max: 3 }) }), { nil: undefined }),
    maxWorkers: fc.integer({ min: 1, max: 4 }),
    shuffle: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
    now: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ size, edges, estimates, ranks, states, requests, capacity, maxWorkers, shuffle, now }): PlanState => {
    const ids = Array.from({ length: size }, (_, at) => `t${at}`);
    const dependents = new Map<string, string[]>(ids.map((id) => [id, []]));
    const dependencies = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const [a, b] of edges) {
      const from = Math.min(a % size, b % size);
      const to = Math.max(a % size, b % size);
      if (from === to || dependents.get(`t${from}`)?.includes(`t${to}`)) continue;
      dependents.get(`t${from}`)?.push(`t${to}`);
      dependencies.get(`t${to}`)?.push(`t${from}`);
    }
    const stateOf = (id: string) => states[Number(id.slice(1))];
    const ready = ids.filter((id) => stateOf(id) === 'ready').sort((a, b) => (shuffle[Number(a.slice(1))] ?? 0) - (shuffle[Number(b.slice(1))] ?? 0));
    const waitingOn = new Map(
      ids.filter((id) => stateOf(id) === 'waiting').map((id) => [id, (dependencies.get(id) ?? []).filter((need) => stateOf(need) !== 'done').length] as const),
    );
    const at = (id: string) => Number(id.slice(1));
    return {
      now: now * 1000,
      maxWorkers,
      capacity,
      running: ids.filter((id) => stateOf(id) === 'running').map((id) => ({ id, end: (at(id) % 4) * 1000, resources: requests[at(id)] ?? {} })),
      ready,
      waitingOn,
      rankOf: (id) => (ranks[at(id)] ?? 0) * 1000,
      estimateOf: (id) => (estimates[at(id)] ?? 0) * 1000,
      resourcesOf: (id) => requests[at(id)] ?? {},
      dependentsOf: (id) => dependents.get(id) ?? [],
    };
  });

describe('estimateMakespan against the straightforward rollout it replaced', () => {
  it('estimates exactly what the reference estimates, for every first start and for holding, on random small DAGs', () => {
    fc.assert(
      fc.property(planStates, (state) => {
        const rollout = planRollouts(state);
        for (const first of [...state.ready, undefined]) {
          const expected = referenceMakespan(state, first);
          expect(rollout(first)).toBe(expected);
          expect(estimateMakespan(state, first)).toBe(expected);
        }
        // So the lookahead picks the same: the first candidate with the shortest plan.
      }),
      { numRuns: 3000 },
    );
  });

  it('never calls a makespan unbeatable by the work bound when some rollout ends sooner', () => {
    let atBound = 0;
    fc.assert(
      fc.property(planStates, (state) => {
        const makespans = [...state.ready, undefined].map((first) => referenceMakespan(state, first));
        const shortest = Math.min(...makespans);
        const isAtBound = workBound(state);
        for (const makespan of makespans) {
          if (!isAtBound(makespan)) continue;
          atBound++;
          expect(makespan).toBe(shortest);
        }
      }),
      { numRuns: 3000 },
    );
    // Some rollouts did reach the work bound, so the check above ran.
    expect(atBound).toBeGreaterThan(0);
  });
});

describe('criticalPathPolicy against the straightforward policy it replaced', () => {
  it('starts the same tasks at the same times, and holds the same, on random DAGs with and without pools', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.nat(),
          tasks: fc.integer({ min: 1, max: 40 }),
          maxWorkers: fc.integer({ min: 1, max: 5 }),
          withPools: fc.boolean(),
          wholeSeconds: fc.boolean(),
        }),
        async ({ seed, tasks, maxWorkers, withPools, wholeSeconds }) => {
          const generated = generateDagWorkload({
            tasks,
            fanIn: 2,
            seed,
            ...(withPools ? { resourceMix: { cpu: { share: 0.5, max: 3 }, memory: { share: 0.3, max: 2 } } } : {}),
          });
          // Whole seconds make equal ranks and equal plans common, and the work bound exact.
          const workload = wholeSeconds
            ? { tasks: Object.fromEntries(Object.entries(generated.tasks).map(([id, task]) => [id, { ...task, estimate: Math.ceil(task.estimate ?? 1) }])) }
            : generated;
          const options = { maxWorkers, seed, ...(withPools ? { resources: { cpu: 3, memory: 2 } } : {}) };
          const fast = await simulate(workload, { ...options, policy: criticalPathPolicy() });
          const reference = await simulate(workload, { ...options, policy: referenceCriticalPathPolicy() });
          expect(fast.trace.events).toEqual(reference.trace.events);
        },
      ),
      { numRuns: 150 },
    );
  });
});
