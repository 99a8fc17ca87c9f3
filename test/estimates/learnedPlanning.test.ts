import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LearnedEstimates } from '../../src/estimates/LearnedEstimates.js';
import { compareShortestFirst } from '../../src/policies/shortestFirstPolicy.js';
import { generateDagWorkload } from '../../src/simulate/generateDagWorkload.js';
import { checkInvariants, type InvariantOptions } from '../../src/simulate/invariants.js';
import { simulate } from '../../src/simulate/simulate.js';
import type { WorkloadFileTask } from '../../src/simulate/types.js';
import type { PolicyName } from '../../src/types.js';

/**
 * Long tasks that look unimportant by shape: a chain of six 1 s steps (deep, so ranked first by
 * shape), ten independent 1 s checks, and one 20 s task nothing depends on, declared last. Two
 * workers: the best schedule starts the long task at once (20 s); by shape alone it starts last.
 */
function longTasksHiddenByShape(withTrueEstimates: boolean): { tasks: Record<string, WorkloadFileTask> } {
  const tasks: Record<string, WorkloadFileTask> = {};
  const add = (name: string, seconds: number, dependencies: string[] = []): void => {
    tasks[name] = withTrueEstimates ? { estimate: seconds, dependencies } : { duration: seconds, dependencies };
  };
  for (let i = 1; i <= 6; i++) add(`step${i}`, 1, i === 1 ? [] : [`step${i - 1}`]);
  for (let i = 1; i <= 10; i++) add(`check${i}`, 1);
  add('long', 20);
  return { tasks };
}

describe('planning with learned estimates', () => {
  it('makes the second critical-path run at least 15% shorter than the first, and within 10% of a run given the true durations', async () => {
    const learned = new LearnedEstimates();
    const options = { policy: 'critical-path' as const, maxWorkers: 2, estimates: learned };
    const first = await simulate(longTasksHiddenByShape(false), options);
    const second = await simulate(longTasksHiddenByShape(false), options);
    const oracle = await simulate(longTasksHiddenByShape(true), { policy: 'critical-path', maxWorkers: 2 });
    expect(learned.estimate({ name: 'long', runs: '', type: 'generic' })).toMatchObject({ source: 'task', runs: 2 });
    expect(second.metrics.makespanMs).toBeLessThanOrEqual(0.85 * first.metrics.makespanMs);
    expect(second.metrics.makespanMs).toBeLessThanOrEqual(1.1 * oracle.metrics.makespanMs);
    // The trace shows what the policies planned with: the learned estimate, not a declared one.
    expect(second.trace.tasks.find((t) => t.id === 'long')?.estimateMs).toBeGreaterThan(19_000);
  });

  it('plans a task seen for the first time with its type\'s estimate, then with the documented default', () => {
    const learned = new LearnedEstimates();
    learned.observe({ name: 'lemma_a', runs: 'prove a', type: 'proof' }, { durationMs: 4000, peakRssBytes: undefined, cpuMs: undefined, measuredBy: 'none' }, 0);
    expect(learned.estimate({ name: 'lemma_b', runs: 'prove b', type: 'proof' })).toMatchObject({ source: 'type', runs: 1 });
    // Within half a 5% bucket of the one run.
    expect(Math.abs(learned.estimate({ name: 'lemma_b', runs: 'prove b', type: 'proof' }).ms / 4000 - 1)).toBeLessThan(0.025);
    expect(learned.estimate({ name: 'lint', runs: 'eslint', type: 'check' })).toEqual({ ms: 10_000, source: 'default', runs: 0 });
  });

  it('keeps every invariant of every policy whatever the learned estimates say (random DAGs, estimates wrong by any factor)', async () => {
    const orders: Partial<Record<PolicyName, InvariantOptions>> = {
      priority: { order: 'priority' },
      fifo: { order: (a, b) => a.seq - b.seq },
      'shortest-first': { order: compareShortestFirst },
      'critical-path': {},
      'fair-share': {},
    };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 25 }),
        fc.nat(),
        fc.constantFrom(...(Object.keys(orders) as PolicyName[])),
        fc.array(fc.double({ min: 0.001, max: 1000, noNaN: true }), { minLength: 25, maxLength: 25 }),
        fc.boolean(),
        async (count, seed, policy, factors, backfill) => {
          const generated = generateDagWorkload({ tasks: count, seed, resourceMix: { cpu: { share: 0.5, max: 3 } } });
          // Declared estimates removed: the learned ones (some wildly wrong, some tasks unknown) are all the policy sees.
          const tasks: Record<string, WorkloadFileTask> = {};
          for (const [name, task] of Object.entries(generated.tasks)) {
            const { estimate, ...rest } = task;
            tasks[name] = { ...rest, duration: estimate ?? 1 };
          }
          const learned = new LearnedEstimates();
          Object.entries(generated.tasks).forEach(([name, task], i) => {
            if (i % 4 === 3) return; // unknown: type, then default
            const durationMs = (task.estimate ?? 1) * 1000 * (factors[i] ?? 1);
            learned.observe({ name, runs: '', type: 'generic' }, { durationMs, peakRssBytes: undefined, cpuMs: undefined, measuredBy: 'none' }, 0);
          });
          const { trace } = await simulate({ tasks }, { policy, policyOptions: { backfill }, maxWorkers: 3, resources: { cpu: 4 }, estimates: learned, seed });
          expect(checkInvariants(trace, orders[policy])).toEqual([]);
          expect(trace.tasks.every((t) => typeof t.estimateMs === 'number')).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});
