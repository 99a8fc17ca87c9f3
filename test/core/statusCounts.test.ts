import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import type { SchedulerStats } from '../../src/types.js';

/**
 * The counts `getStats` gives when the task's actor has ended and tells the scheduler (its done
 * event, seen through inspection before the scheduler takes it): the attempt's end is counted,
 * the task's end not yet.
 */
function countsWhenEnded(run: () => unknown): Promise<Pick<SchedulerStats, 'pending' | 'running' | 'completed' | 'failed'>[]> {
  const seen: Pick<SchedulerStats, 'pending' | 'running' | 'completed' | 'failed'>[] = [];
  let scheduler: Scheduler | undefined;
  const inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.event' || event.event.type !== 'xstate.done.actor.only' || scheduler === undefined) return;
    const { pending, running, completed, failed } = scheduler.getStats();
    seen.push({ pending, running, completed, failed });
  };
  scheduler = createScheduler({ inspect, maxWorkers: 1, defaultTimeoutMs: 0, defaultRetry: { attempts: 1 } });
  const done = scheduler.waitForTask(scheduler.scheduleTask({ id: 'only', run }));
  return done.then(async () => {
    await scheduler.stop();
    return seen;
  });
}

describe('status counts', () => {
  it('move a successful task from running to completed, never through pending', async () => {
    const seen = await countsWhenEnded(() => 'ok');
    expect(seen).toEqual([{ pending: 0, running: 1, completed: 0, failed: 0 }]);
  });

  it('stop counting a failed attempt as running when it ends', async () => {
    const seen = await countsWhenEnded(() => {
      throw new Error('boom');
    });
    expect(seen).toEqual([{ pending: 1, running: 0, completed: 0, failed: 0 }]);
  });
});
