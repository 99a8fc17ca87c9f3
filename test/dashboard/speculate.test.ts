import { describe, expect, it } from 'vitest';
import { createDashboardFeed } from '../../src/dashboard/createDashboardFeed.js';
import { createTaskTracker, recordedSlotOf } from '../../src/dashboard/createTaskTracker.js';
import { manualWork, simulatedScheduler } from '../support/harness.js';

describe('createDashboardFeed with speculate', () => {
  it("carries the record's backup: a patch when the backup copy starts, and how it ended", async () => {
    const { scheduler, clock, advance } = simulatedScheduler({ maxWorkers: 2, speculate: 2 });
    const tracker = createTaskTracker({ root: scheduler.actor, now: () => clock.now(), onChange: () => {}, slotOf: recordedSlotOf(scheduler) });
    scheduler.actor.system.inspect(tracker.observer);
    // As startDashboard wires it: a backup changes the record, not the state.
    scheduler.events.on('task:backup', ({ task }) => tracker.noteChanged(task.id));
    const feed = createDashboardFeed(scheduler, tracker, { canControl: false, queueLimit: 10, now: () => clock.now() });
    const work = manualWork();
    scheduler.scheduleTask({ id: 'a', run: work.run, idempotent: true, estimateMs: 100 });
    await advance(100);
    feed.patch();
    await advance(100);
    expect(feed.patch().tasks).toEqual([expect.objectContaining({ id: 'a', status: 'running', backup: expect.objectContaining({ id: 'a~backup', outcome: 'running', slot: 1 }) })]);
    work.resolve('won', 2);
    await advance(0);
    expect(feed.snapshot().tasks).toEqual([expect.objectContaining({ id: 'a', status: 'completed', backup: expect.objectContaining({ outcome: 'won' }) })]);
  });
});
