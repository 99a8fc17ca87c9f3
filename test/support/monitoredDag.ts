import type { TaskRun, TaskSpec } from '../../src/types.js';

/**
 * The small DAG the monitoring tests trace: a (fetch) → b (parse, fails once, retried after
 * 100 ms) → c (high priority); d (check, 2 cpu) fails, so e and f after it never run; g (train)
 * runs `slowRun` until the test cancels it, and h after it never runs.
 *
 * @example
 * scheduler.scheduleTasks(monitoredDag(manualWork().run));
 */
export function monitoredDag(slowRun: TaskRun): TaskSpec[] {
  return [
    { id: 'a', type: 'fetch', run: () => 'a' },
    { id: 'b', type: 'parse', dependencies: ['a'], retry: { attempts: 2, backoffMs: 100 }, run: ({ attempt }) => {
      if (attempt === 1) throw new Error('flaky');
      return 'b';
    } },
    { id: 'c', type: 'parse', dependencies: ['b'], priority: 'high', run: () => 'c' },
    { id: 'd', type: 'check', resources: { cpu: 2 }, run: () => Promise.reject(new Error('broken')) },
    { id: 'e', type: 'check', dependencies: ['d'], run: () => 'e' },
    { id: 'f', type: 'check', dependencies: ['e'], run: () => 'f' },
    { id: 'g', type: 'train', run: slowRun },
    { id: 'h', type: 'train', dependencies: ['g'], run: () => 'h' },
  ];
}
