// A complete example of testing your own scheduling policy with xeno-scheduler's simulation and
// invariant checks. In an app, import these names from 'xeno-scheduler/policies' and 'xeno-scheduler/simulate'
// instead of '../src/…'.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { heapQueue } from '../../src/policies/heapQueue.js';
import { generateDagWorkload } from '../../src/simulate/generateDagWorkload.js';
import { assertInvariants } from '../../src/simulate/invariants.js';
import { simulate } from '../../src/simulate/simulate.js';
import type { QueuedTask, SchedulingPolicy } from '../../src/types.js';

/** Longest estimated task first (LPT); unknown estimates last; then submission order. */
const longestFirst = (a: QueuedTask, b: QueuedTask): number =>
  (b.estimateMs ?? -1) - (a.estimateMs ?? -1) || a.seq - b.seq;

/** The policy under test: any object with a name and a ReadyQueue factory. */
const longestFirstPolicy = (): SchedulingPolicy => ({
  name: 'longest-first',
  createQueue: () => heapQueue(longestFirst),
});

describe('longestFirstPolicy', () => {
  it('starts the longest ready task first', async () => {
    const { trace } = await simulate(
      { tasks: { short: { estimate: 1 }, long: { estimate: 9 }, medium: { estimate: 5 } } },
      { policy: longestFirstPolicy(), maxWorkers: 1 },
    );
    const starts = trace.events.filter((e) => e.to === 'running').map((e) => e.task);
    expect(starts).toEqual(['long', 'medium', 'short']);
  });

  it('keeps every scheduling invariant and its own order on random DAGs with resources', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 4 }), async (seed, maxWorkers) => {
        const workload = generateDagWorkload({ tasks: 20, fanIn: 2, seed, resourceMix: { cpu: { share: 0.5, max: 2 } } });
        const { trace, metrics } = await simulate(workload, { policy: longestFirstPolicy(), maxWorkers, resources: { cpu: 2 }, seed });
        // Throws with every violation listed: over-commit, too many workers, a task before its
        // dependencies, an illegal transition, a task left unfinished, or a task started while
        // one ranked before it by `longestFirst` was ready and fitted.
        assertInvariants(trace, { order: longestFirst });
        expect(metrics.makespanMs).toBeGreaterThanOrEqual(metrics.lowerBound.valueMs);
      }),
      { numRuns: 25 },
    );
  });
});
