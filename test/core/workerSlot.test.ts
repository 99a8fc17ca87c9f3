import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createScheduler } from '../../src/core/createScheduler.js';
import { manualWork, settle } from '../support/harness.js';

describe('a task record\'s worker slot', () => {
  it('is the slot its running attempt holds, and undefined before it runs and once it ended', async () => {
    const work = manualWork();
    const scheduler = createScheduler({ maxWorkers: 2, defaultTimeoutMs: 0 });
    const started: (number | undefined)[] = [];
    scheduler.events.on('task:started', ({ task }) => started.push(task.slot));
    scheduler.scheduleTasks(['a', 'b', 'c'].map((id) => ({ id, run: work.run })));
    expect(scheduler.getTask('a').slot).toBeUndefined();
    await settle();
    expect(new Set([scheduler.getTask('a').slot, scheduler.getTask('b').slot])).toEqual(new Set([0, 1]));
    expect(scheduler.getTask('c').slot).toBeUndefined();
    work.resolve('done', 1);
    await settle();
    const slotOfA = started[0];
    expect(scheduler.getTask('a').slot).toBeUndefined();
    // `c` took the slot `a` gave back.
    expect(scheduler.getTask('c').slot).toBe(slotOfA);
    expect(started).toEqual([0, 1, slotOfA]);
    work.resolve('done', 2);
    work.resolve('done', 3);
    await scheduler.onIdle();
    expect(['a', 'b', 'c'].map((id) => scheduler.getTask(id).slot)).toEqual([undefined, undefined, undefined]);
    await scheduler.stop();
  });

  it('never gives two running tasks one slot, nor a slot at or past maxWorkers (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), async (maxWorkers, outcomes) => {
        const work = manualWork();
        const scheduler = createScheduler({ maxWorkers, defaultTimeoutMs: 0, defaultRetry: { attempts: 1 } });
        scheduler.scheduleTasks(outcomes.map((_, i) => ({ id: `t${i}`, run: work.run })));
        for (let round = 0; round <= outcomes.length; round++) {
          await settle();
          const running = scheduler.listTasks().filter((task) => task.status === 'running');
          const slots = running.map((task) => task.slot);
          expect(slots.every((slot) => slot !== undefined && slot >= 0 && slot < maxWorkers)).toBe(true);
          expect(new Set(slots).size).toBe(slots.length);
          const next = work.calls.length > round ? round + 1 : undefined;
          if (next === undefined) break;
          if (outcomes[round]) work.resolve('ok', next);
          else work.reject(new Error('no'), next);
        }
        await scheduler.stop({ graceMs: 0 });
      }),
      { numRuns: 30 },
    );
  });
});
