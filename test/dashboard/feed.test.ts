import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createScheduler } from '../../src/core/createScheduler.js';
import { createDashboardFeed } from '../../src/dashboard/createDashboardFeed.js';
import { createTaskTracker, recordedSlotOf } from '../../src/dashboard/createTaskTracker.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import type { TaskRecord, TaskRun } from '../../src/types.js';
import { settle } from '../support/harness.js';

const forever: TaskRun = () => new Promise(() => {});
/** Work that runs until its signal aborts. */
const untilAborted: TaskRun = ({ signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));

function feedOf(scheduler: Scheduler, now: () => number = () => 0) {
  const tracker = createTaskTracker({ root: scheduler.actor, now, onChange: () => {}, slotOf: recordedSlotOf(scheduler) });
  scheduler.actor.system.inspect(tracker.observer);
  return createDashboardFeed(scheduler, tracker, { canControl: false, queueLimit: 10, now });
}

describe('createDashboardFeed', () => {
  it('gives each task its group, type and estimate, leaving out the defaults to keep messages small', async () => {
    const scheduler = createScheduler({ maxWorkers: 1, autoStart: false });
    const feed = feedOf(scheduler);
    scheduler.scheduleTasks([
      { id: 'plain', run: () => 1 },
      { id: 'proof', group: 'proofs', type: 'prove', estimateMs: 1200, run: () => 1 },
    ]);
    await settle();
    const [plain, proof] = feed.snapshot().tasks;
    expect(plain).not.toHaveProperty('group');
    expect(plain).not.toHaveProperty('type');
    expect(plain).not.toHaveProperty('estimateMs');
    expect(proof).toMatchObject({ id: 'proof', group: 'proofs', type: 'prove', estimateMs: 1200 });
    await scheduler.stop();
  });

  it('passes on cached, children and slot when the task records carry them', async () => {
    const scheduler = createScheduler({ maxWorkers: 1 });
    scheduler.scheduleTasks([{ id: 'parent', run: untilAborted }]);
    await settle();
    // Records of a scheduler that knows these fields: the feed reads them where they are present.
    const later = (record: TaskRecord) => ({ ...record, cached: true, children: ['child-1', 'child-2'], slot: 3 });
    const withFields = new Proxy(scheduler, {
      get(target, key, receiver) {
        if (key === 'getTask') return (id: string) => later(target.getTask(id));
        if (key === 'listTasks') return () => target.listTasks().map(later);
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const feed = feedOf(withFields);
    expect(feed.snapshot().tasks[0]).toMatchObject({ id: 'parent', cached: true, children: ['child-1', 'child-2'], slot: 3 });
    await scheduler.stop();
  });

  it('sends what a resumed run recovered, and marks its interrupted attempts on the timeline', async () => {
    const store = memoryTaskStore();
    const clock = new SimulatedClock();
    const handlers = { hang: forever };
    const first = createScheduler({ store, clock, maxWorkers: 2, defaultRetry: { attempts: 2, backoffMs: 10 }, handlers });
    first.scheduleTasks([{ id: 'stuck', type: 'hang' }]);
    await settle();

    const later = new SimulatedClock();
    later.set(500);
    const second = createScheduler({ store, clock: later, maxWorkers: 2, defaultRetry: { attempts: 2, backoffMs: 10 }, handlers });
    const feed = feedOf(second, () => later.now());
    await settle();
    const snapshot = feed.snapshot();
    expect(snapshot.recovered?.interrupted).toEqual([{ id: 'stuck', attempt: 1 }]);
    const runs = snapshot.runs.filter((run) => run.task === 'stuck');
    expect(runs.find((run) => run.attempt === 1)).toMatchObject({ interrupted: true });
    expect(runs.filter((run) => run.attempt !== 1).every((run) => run.interrupted === undefined)).toBe(true);
    // Its work never settles: no grace to wait out.
    await second.stop({ graceMs: 0 });
  });
});
