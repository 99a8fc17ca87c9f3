import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createScheduler } from '../../src/core/createScheduler.js';
import { createDashboardFeed } from '../../src/dashboard/createDashboardFeed.js';
import { createTaskTracker, recordedSlotOf } from '../../src/dashboard/createTaskTracker.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import type { TaskRun } from '../../src/types.js';
import { settle } from '../support/harness.js';

const forever: TaskRun = () => new Promise(() => {});

describe('the dashboard on a recovered run', () => {
  it('shows finished tasks with the history their records tell, an interrupted attempt past its budget as the failure it was, and one within it handed back', async () => {
    const store = memoryTaskStore();
    const clock = new SimulatedClock();
    const first = createScheduler({ store, clock, maxWorkers: 3, defaultRetry: { attempts: 1 }, maxInterruptions: 0, handlers: { ok: () => 'ok', hang: forever } });
    first.scheduleTasks([{ id: 'done', type: 'ok' }, { id: 'stuck', type: 'hang' }, { id: 'again', type: 'hang', maxInterruptions: 1 }]);
    await settle();

    const later = new SimulatedClock();
    later.set(500);
    const second = createScheduler({ store, clock: later, maxWorkers: 3, defaultRetry: { attempts: 1 }, handlers: { ok: () => 'ok', hang: forever } });
    const tracker = createTaskTracker({ root: second.actor, now: () => later.now(), onChange: () => {}, slotOf: recordedSlotOf(second) });
    second.actor.system.inspect(tracker.observer);
    const feed = createDashboardFeed(second, tracker, { canControl: false, queueLimit: 10, now: () => later.now() });
    await settle();

    expect(feed.snapshot().tasks.map((task) => [task.id, task.status, task.attempts])).toEqual([
      ['done', 'completed', 1],
      ['stuck', 'failed', 1],
      ['again', 'running', 2],
    ]);
    expect(feed.detail('done')?.history).toEqual([
      { at: 0, from: null, to: 'pending.queued', event: 'recorded' },
      { at: 0, from: 'pending.queued', to: 'running', event: 'recorded' },
      { at: 0, from: 'running', to: 'completed', event: 'recorded' },
    ]);
    const stuck = feed.detail('stuck');
    expect(stuck?.task.error).toBe('task "stuck": attempt 1 was interrupted, its 1st interruption (more than maxInterruptions 0) (its scheduler ended without stopping it: a crash or a kill)');
    // The interrupted attempt's end was seen live: it failed, by the interruption past its budget.
    expect(stuck?.history.at(-1)).toMatchObject({ at: 500, to: 'failed', event: 'task.interrupted' });
    // Within its budget the attempt is handed back: queued again, and its next attempt runs.
    expect(feed.detail('again')?.history.slice(-2)).toMatchObject([
      { at: 500, to: 'pending.queued', event: 'task.interrupted' },
      { at: 500, from: 'pending.queued', to: 'running', event: 'task.start' },
    ]);
  });
});
