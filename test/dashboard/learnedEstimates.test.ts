import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createScheduler } from '../../src/core/createScheduler.js';
import { createDashboardFeed } from '../../src/dashboard/createDashboardFeed.js';
import { createTaskTracker, recordedSlotOf } from '../../src/dashboard/createTaskTracker.js';
import { LearnedEstimates } from '../../src/estimates/LearnedEstimates.js';
import type { TaskContext } from '../../src/types.js';
import { settle } from '../support/harness.js';

describe('the dashboard with learned estimates', () => {
  it('shows in a task\'s detail the estimate it is planned with, where it came from, and what its last attempt used', async () => {
    const clock = new SimulatedClock();
    const learned = new LearnedEstimates();
    learned.observe({ name: 'prove', runs: 'z3', type: 'proof' }, { durationMs: 2000, peakRssBytes: undefined, cpuMs: undefined, measuredBy: 'none' }, 0);
    const scheduler = createScheduler({ clock, estimates: learned });
    const tracker = createTaskTracker({ root: scheduler.actor, now: () => clock.now(), onChange: () => {}, slotOf: recordedSlotOf(scheduler) });
    scheduler.actor.system.inspect(tracker.observer);
    const feed = createDashboardFeed(scheduler, tracker, { canControl: false, queueLimit: 10, now: () => clock.now() });
    const work = (ctx: TaskContext) =>
      new Promise((resolve) => {
        ctx.reportUsage?.({ peakRssBytes: 64 * 2 ** 20, cpuMs: 700, measuredBy: 'proc' });
        clock.setTimeout(resolve, 1500);
      });
    scheduler.scheduleTask({ id: 'prove', runs: 'z3', type: 'proof', run: work });
    await settle();
    expect(feed.detail('prove')?.task.estimateSource).toBe('task');
    expect(feed.detail('prove')?.task.usage).toBeUndefined();
    expect(Math.abs(feed.detail('prove')!.task.estimateMs! / 2000 - 1)).toBeLessThan(0.025);
    clock.increment(1500);
    await settle();
    expect(feed.detail('prove')?.task.usage).toEqual({ durationMs: 1500, peakRssBytes: 64 * 2 ** 20, cpuMs: 700, measuredBy: 'proc' });
    await scheduler.stop();
  });
});
