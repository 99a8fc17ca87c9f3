import { describe, expect, it } from 'vitest';
import { criticalPathPolicy } from '../../src/policies/criticalPathPolicy.js';
import { simulate } from '../../src/simulate/simulate.js';
import type { PolicyContext, SchedulingPolicy } from '../../src/types.js';

/** `chains` independent chains of 5 one-second tasks: the shape of the hostile tester's 1,000-task run. */
function chainsOf(chains: number) {
  const tasks: Record<string, { estimate: number; dependencies?: string[] }> = {};
  for (let chain = 0; chain < chains; chain++) {
    for (let link = 0; link < 5; link++) tasks[`c${chain}l${link}`] = { estimate: 1, ...(link === 0 ? {} : { dependencies: [`c${chain}l${link - 1}`] }) };
  }
  return { tasks };
}

/** critical-path, counting every question its queue asks the scheduler's graph (dependentsOf and estimateOf). */
function countingPolicy(): { policy: SchedulingPolicy; calls: () => number } {
  const inner = criticalPathPolicy();
  let calls = 0;
  const policy: SchedulingPolicy = {
    ...inner,
    createQueue: (context: PolicyContext) =>
      inner.createQueue({
        ...context,
        dependentsOf: (id) => ((calls += 1), context.dependentsOf(id)),
        estimateOf: (id) => ((calls += 1), context.estimateOf(id)),
      }),
  };
  return { policy, calls: () => calls };
}

describe('criticalPathPolicy lookahead cost', () => {
  it('asks the graph O(tasks) questions per decision, not O(tasks × ready tasks) (100 → 300 tasks: about 9-12× the work, not 27×)', async () => {
    const counts: number[] = [];
    for (const chains of [20, 60]) {
      const { policy, calls } = countingPolicy();
      const { metrics } = await simulate(chainsOf(chains), { policy, maxWorkers: 4 });
      expect(metrics.outcomes.completed).toBe(chains * 5);
      counts.push(calls());
    }
    const [small, large] = counts as [number, number];
    // Before: 464,920 and 11,458,734 calls (25×: each rollout inserted a released task into the
    // ready list by comparing it with the ready tasks one by one, asking for both tasks' dependents
    // each time). After: 26,420 and 318,994 (12×: O(tasks) per rollout, plus the queue's
    // O(ready × log ready) rank order that each decision reads).
    expect(large / small).toBeLessThan(15);
    expect(large).toBeLessThan(1_000_000);
  });
});
