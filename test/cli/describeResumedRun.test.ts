import { describe, expect, it } from 'vitest';
import { describeResumedRun } from '../../src/cli/describeResumedRun.js';
import { toReattachedAttempts } from '../../src/cli/reattachedAttempts.js';

const run = { state: 'run.db', completed: 2, failed: 0, cancelled: 0, interrupted: ['a', 'b', 'c'], interruptedBefore: 0, stopped: [], pending: 1 };
const head = 'resumed run.db: 2 tasks had finished (2 completed, 0 failed, 0 cancelled; not run again), ';

describe('describeResumedRun', () => {
  it('says the running attempts were interrupted on a local run (not counted as retries), and re-attached to on a distributed one', () => {
    expect(describeResumedRun(run)).toBe(`${head}3 attempts interrupted (a, b, c): not counted as retries, 1 task waiting`);
    expect(describeResumedRun({ ...run, interrupted: ['a'] })).toBe(`${head}1 attempt interrupted (a): not counted as a retry, 1 task waiting`);
    expect(describeResumedRun(run, true)).toBe(`${head}3 attempts were running (a, b, c): re-attaching to their jobs, 1 task waiting`);
  });

  it('says how many attempts earlier crashes interrupted, when any did', () => {
    expect(describeResumedRun({ ...run, interrupted: ['a'], interruptedBefore: 2 })).toBe(
      `${head}1 attempt interrupted (a): not counted as a retry (2 attempts interrupted by earlier crashes), 1 task waiting`,
    );
    expect(describeResumedRun({ ...run, interrupted: [], interruptedBefore: 1 })).toBe(`${head}no attempt interrupted (1 attempt interrupted by earlier crashes), 1 task waiting`);
  });

  it('says which attempts the last run stopped itself (a Ctrl-C): they start again, not counted', () => {
    expect(describeResumedRun({ ...run, interrupted: [], stopped: ['d'], pending: 2 })).toBe(`${head}no attempt interrupted, 1 attempt stopped by the last run's stop (d): started again, not counted, 2 tasks waiting`);
  });

  it('says what became of each re-attached attempt once it is known', () => {
    const reattached = toReattachedAttempts([
      { taskId: 'a', attempt: 1, node: 'n1', found: 'finished' },
      { taskId: 'b', attempt: 2, node: 'n2', found: 'queued' },
      { taskId: 'c', attempt: 1, node: undefined, found: 'gone' },
    ]);
    expect(reattached).toEqual({ finished: ['a'], running: ['b'], gone: ['c'] });
    expect(describeResumedRun({ ...run, reattached })).toBe(
      `${head}3 running attempts re-attached to their jobs (finished while the coordinator was down: a; still running: b; job gone, counted as interrupted: c), 1 task waiting`,
    );
    expect(describeResumedRun({ ...run, interrupted: [], reattached: toReattachedAttempts([]) })).toBe(`${head}no attempt interrupted, 1 task waiting`);
  });
});
