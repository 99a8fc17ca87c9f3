import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createScheduler } from '../../src/core/createScheduler.js';
import { fifoPolicy } from '../../src/policies/fifoPolicy.js';
import type { SchedulingPolicy } from '../../src/types.js';
import { manualWork, settle } from '../support/harness.js';

describe('the time a task starts', () => {
  it('is the time of the pump that dispatched it, whatever starting the tasks before it in that pump cost', async () => {
    const clock = new SimulatedClock();
    clock.set(1_000);
    // Each start costs 7 ms of the clock, as a cold actor or a busy machine does for real.
    const slowStarts: SchedulingPolicy = { ...fifoPolicy(), onStart: () => clock.increment(7) };
    const work = manualWork();
    const scheduler = createScheduler({ clock, maxWorkers: 3, policy: slowStarts, defaultTimeoutMs: 0 });
    scheduler.scheduleTasks(['a', 'b', 'c', 'd'].map((id) => ({ id, run: work.run })));
    await settle();
    expect(['a', 'b', 'c'].map((id) => scheduler.getTask(id).startedAt)).toEqual([1_000, 1_000, 1_000]);
    expect(scheduler.getTask('d').startedAt).toBeUndefined();
    clock.increment(100);
    work.resolve(undefined, 1);
    await settle();
    // `d` starts in the pump after `a` ended: at that pump's time.
    expect(scheduler.getTask('d').startedAt).toBe(1_121);
    // b and c never settle: no grace to wait out.
    await scheduler.stop({ graceMs: 0 });
  });
});
