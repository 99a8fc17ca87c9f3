import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { criticalPathPolicy } from '../../src/policies/criticalPathPolicy.js';
import { estimateMakespan, type PlanState } from '../../src/policies/estimateMakespan.js';
import { fifoPolicy } from '../../src/policies/fifoPolicy.js';
import { checkInvariants } from '../../src/simulate/invariants.js';
import { loadStgWorkload } from '../../src/simulate/loadStgWorkload.js';
import { simulate } from '../../src/simulate/simulate.js';
import type { Trace } from '../../src/simulate/types.js';
import type { PolicyContext, SchedulingPolicy } from '../../src/types.js';
import { manualWork, settle } from '../support/harness.js';
import { skipWithout } from '../support/requireTool.js';


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

  it('with no first task leaves the free workers idle until the next end, and answers Infinity when nothing runs', () => {
    // a runs until 1 s and opens c (3 s); b (2 s) is ready. Holding: b and c both start at 1 s.
    const estimates: Record<string, number> = { a: 1000, b: 2000, c: 3000 };
    const state = plan({
      running: [{ id: 'a', end: 1000, resources: {} }],
      ready: ['b'],
      waitingOn: new Map([['c', 1]]),
      rankOf: (id) => ({ b: 2000, c: 3000 })[id] ?? 0,
      estimateOf: (id) => estimates[id] ?? 0,
      dependentsOf: (id) => (id === 'a' ? ['c'] : []),
    });
    expect(estimateMakespan(state, undefined)).toBe(4000);
    expect(estimateMakespan(state, 'b')).toBe(4000);
    expect(estimateMakespan(plan({ ready: ['b'] }), undefined)).toBe(Number.POSITIVE_INFINITY);
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

  it('is optimal on 67 of the 70 STG cases with published optimal lengths (the target was 60), at worst 0.76% over', async (context) => {
    const stg = skipWithout(context, 'STG data');
    let optimal = 0;
    let worstOver = 0;
    for (const [size, { workers, lengths }] of Object.entries(OPTIMAL)) {
      for (const [graph, optima] of lengths.entries()) {
        const workload = await loadStgWorkload(`${stg}${size}/rand000${graph}.stg`);
        for (const [at, maxWorkers] of workers.entries()) {
          const { metrics } = await simulate(workload, { policy: 'critical-path', maxWorkers });
          const best = (optima[at] as number) * 1000;
          expect(metrics.makespanMs, `${size}/rand000${graph} on ${maxWorkers}`).toBeGreaterThanOrEqual(best);
          if (metrics.makespanMs === best) optimal += 1;
          worstOver = Math.max(worstOver, metrics.makespanMs / best - 1);
        }
      }
    }
    // Measured: 67 of 70, worst 0.76% over (STG-100 rand0003 on 4 workers); without holding
    // workers 66 and 1.06% (STG-100 rand0000 on 8 workers, which no schedule that keeps every
    // worker busy can finish in 94); rank order alone, before the lookahead: 55, worst 2.13%.
    expect(optimal).toBeGreaterThanOrEqual(67);
    expect(worstOver).toBeLessThan(0.008);
  });
});

/** Upward ranks (estimate plus the longest chain of dependents) of a workload, written out here, not imported. */
function ranksOf(tasks: Readonly<Record<string, { estimate: number; dependencies: readonly string[] }>>): Map<string, number> {
  const ranks = new Map<string, number>();
  const rankOf = (id: string): number => {
    const known = ranks.get(id);
    if (known !== undefined) return known;
    const dependents = Object.keys(tasks).filter((other) => tasks[other]?.dependencies.includes(id));
    const rank = (tasks[id]?.estimate ?? 0) * 1000 + Math.max(0, ...dependents.map(rankOf));
    ranks.set(id, rank);
    return rank;
  };
  for (const id of Object.keys(tasks)) rankOf(id);
  return ranks;
}

/**
 * The moments of a trace when a worker stayed free while a task was ready (every dependency
 * completed, not started), after everything that happened at that moment, with the critical-path
 * bound then: the latest of each running task's start plus its rank and now plus each ready task's rank.
 */
function holdsOf(trace: Trace, maxWorkers: number, tasks: Readonly<Record<string, { estimate: number; dependencies: readonly string[] }>>) {
  const ranks = ranksOf(tasks);
  const started = new Map<string, number>();
  const completed = new Set<string>();
  const holds: { time: number; bound: number }[] = [];
  const events = trace.events;
  for (const [at, event] of events.entries()) {
    if (event.to === 'running') started.set(event.task, event.time);
    if (event.to === 'completed') completed.add(event.task);
    if (events[at + 1]?.time === event.time) continue;
    const running = [...started.keys()].filter((id) => !completed.has(id));
    const ready = Object.keys(tasks).filter((id) => !started.has(id) && tasks[id]?.dependencies.every((need) => completed.has(need)));
    if (running.length >= maxWorkers || ready.length === 0) continue;
    const bound = Math.max(...running.map((id) => (started.get(id) ?? 0) + (ranks.get(id) ?? 0)), ...ready.map((id) => event.time + (ranks.get(id) ?? 0)));
    holds.push({ time: event.time, bound });
  }
  return holds;
}

describe('criticalPathPolicy holding workers', () => {
  // Three workers and three entry tasks; a (1 s) opens the two long chains c (8 s) and d (7 s).
  // Starting b and e beside a makes d wait until 4 s (11 s in all); keeping two workers idle
  // for a second lets c and d start together and the run end at its critical path, 9 s.
  const workload = {
    tasks: {
      a: { estimate: 1 },
      b: { estimate: 4 },
      e: { estimate: 4 },
      c: { estimate: 8, dependencies: ['a'] },
      d: { estimate: 7, dependencies: ['a'] },
    },
  } as const;
  const startsOf = (trace: Trace) => trace.events.filter((e) => e.to === 'running').map((e) => `${e.task}@${e.time}`);

  it('leaves workers idle when that lets the run end at its critical-path bound and no start does', async () => {
    const held = await simulate(workload, { policy: 'critical-path', maxWorkers: 3 });
    const busy = await simulate(workload, { policy: criticalPathPolicy({ canHoldWorkers: false }), maxWorkers: 3 });
    expect(startsOf(held.trace)).toEqual(['a@0', 'c@1000', 'd@1000', 'b@1000', 'e@5000']);
    expect(held.metrics.makespanMs).toBe(9000);
    expect(startsOf(busy.trace)).toEqual(['a@0', 'b@0', 'e@0', 'c@1000', 'd@4000']);
    expect(busy.metrics.makespanMs).toBe(11000);
    expect(checkInvariants(held.trace)).toEqual([]);
  });

  it('holds only for a plan at the critical-path bound, and with exact estimates the run then ends there', async () => {
    // Whole-second estimates, as the STG graphs have: a short gate opening long chains beside
    // other entry tasks (the shape that makes holding pay), then random layers after them.
    const graphs = fc.record({
      maxWorkers: fc.integer({ min: 2, max: 6 }),
      gate: fc.integer({ min: 1, max: 2 }),
      chains: fc.array(fc.integer({ min: 3, max: 10 }), { minLength: 1, maxLength: 3 }),
      entries: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 7 }),
      layers: fc.array(fc.array(fc.record({ estimate: fc.integer({ min: 1, max: 10 }), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 5 }), {
        maxLength: 3,
      }),
    });
    let holdCount = 0;
    await fc.assert(
      fc.asyncProperty(graphs, async ({ maxWorkers, gate, chains, entries, layers }) => {
        const tasks: Record<string, { estimate: number; dependencies: string[] }> = { gate: { estimate: gate, dependencies: [] } };
        for (const [at, estimate] of chains.entries()) tasks[`chain${at}`] = { estimate, dependencies: ['gate'] };
        for (const [at, estimate] of entries.entries()) tasks[`entry${at}`] = { estimate, dependencies: [] };
        let previous = Object.keys(tasks);
        for (const [depth, layer] of layers.entries()) {
          const ids = layer.map((_, at) => `layer${depth}_${at}`);
          for (const [at, { estimate, picks }] of layer.entries()) {
            tasks[ids[at] as string] = { estimate, dependencies: [...new Set(picks.map((pick) => previous[pick % previous.length] as string))] };
          }
          previous = ids;
        }
        const { trace, metrics } = await simulate({ tasks }, { policy: 'critical-path', maxWorkers });
        expect(checkInvariants(trace)).toEqual([]);
        for (const hold of holdsOf(trace, maxWorkers, tasks)) {
          holdCount += 1;
          expect(metrics.makespanMs, `held at ${hold.time} ms`).toBe(hold.bound);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
    // The property is about holds: the graphs must make some.
    expect(holdCount).toBeGreaterThan(0);
  });

  it('is told by the scheduler its workers, its pools and what every task asks of them, ready or not, for its rollouts', async () => {
    let told: PolicyContext | undefined;
    const fifo = fifoPolicy();
    const scheduler = createScheduler({
      policy: { name: 'spy', createQueue: (context) => ((told = context), fifo.createQueue(context)) },
      maxWorkers: 3,
      resources: { cpu: 2 },
    });
    const [first, later] = [manualWork(), manualWork()];
    scheduler.scheduleTasks([
      { id: 'first', run: first.run },
      { id: 'later', dependencies: ['first'], resources: { cpu: 2 }, run: later.run },
    ]);
    await settle();
    expect(scheduler.getTaskStatus('later')).toBe('pending');
    expect(told?.resourcesOf?.('later')).toEqual({ cpu: 2 });
    expect(told?.resourcesOf?.('unknown')).toBeUndefined();
    expect({ maxWorkers: told?.maxWorkers, capacity: told?.capacity }).toEqual({ maxWorkers: 3, capacity: { cpu: 2 } });
    first.resolve('first');
    await settle();
    later.resolve('later');
    await settle();
    await scheduler.stop();
  });

  it('is honoured by the scheduler only while a task runs, so a queue that always holds still runs everything, one at a time', async () => {
    const alwaysHolding = (): SchedulingPolicy => {
      const fifo = fifoPolicy();
      return { name: 'always-holding', createQueue: (context: PolicyContext) => Object.assign(fifo.createQueue(context), { isHolding: true }) };
    };
    const scheduler = createScheduler({ policy: alwaysHolding(), maxWorkers: 3 });
    const works = ['x', 'y', 'z'].map((id) => ({ id, work: manualWork() }));
    scheduler.scheduleTasks(works.map(({ id, work }) => ({ id, run: work.run })));
    await settle();
    for (const { id, work } of works) {
      expect(scheduler.getStats().running, `while ${id} runs`).toBe(1);
      work.resolve(id);
      await settle();
    }
    expect(works.map(({ id }) => scheduler.getTaskStatus(id))).toEqual(['completed', 'completed', 'completed']);
    await scheduler.stop();
  });
});
