import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createScheduler } from '../../src/createScheduler.js';
import type { SchedulerClock } from '../../src/types.js';
import { manualWork, settle } from '../support/harness.js';

/** A simulated clock that counts the timers armed on it and not yet fired or cleared. */
function countedClock(): { clock: SimulatedClock & SchedulerClock; armed: () => number; advance: (ms: number) => Promise<void> } {
  const clock = new SimulatedClock();
  const live = new Set<unknown>();
  const setTimeout = clock.setTimeout.bind(clock);
  const clearTimeout = clock.clearTimeout.bind(clock);
  clock.setTimeout = (fn, ms) => {
    const id = setTimeout(() => {
      live.delete(id);
      fn();
    }, ms);
    live.add(id);
    return id;
  };
  clock.clearTimeout = (id) => {
    live.delete(id);
    clearTimeout(id);
  };
  return {
    clock,
    armed: () => live.size,
    advance: async (ms) => {
      await settle();
      clock.increment(ms);
      await settle();
    },
  };
}

describe("a task's deadlines (attempt timeout, retry delay) are the supervisor's", () => {
  it('arms the timeout when an attempt starts and disarms it when the attempt ends', async () => {
    const { clock, armed } = countedClock();
    const work = manualWork();
    const scheduler = createScheduler({ clock, defaultRetry: { attempts: 1 } });
    scheduler.scheduleTask({ id: 'job', run: work.run, timeoutMs: 1000 });
    expect(armed()).toBe(0);
    await settle();
    expect(scheduler.getTaskStatus('job')).toBe('running');
    expect(armed()).toBe(1);
    work.resolve('done');
    await settle();
    expect(scheduler.getTaskStatus('job')).toBe('completed');
    expect(armed()).toBe(0);
  });

  it('times an attempt out through the machine, then retries after the backoff, and fails the last one', async () => {
    const { clock, armed, advance } = countedClock();
    const work = manualWork();
    const scheduler = createScheduler({ clock });
    const retries: number[] = [];
    scheduler.events.on('task:retrying', ({ delayMs }) => retries.push(delayMs));
    scheduler.scheduleTask({ id: 'job', run: work.run, timeoutMs: 100, retry: { attempts: 2, backoffMs: 50 } });
    await advance(99);
    expect(scheduler.getTaskStatus('job')).toBe('running');
    await advance(1);
    expect(scheduler.getTask('job')).toMatchObject({ status: 'pending', pendingReason: 'backoff', attempts: 1 });
    expect(work.calls[0]?.signal.aborted).toBe(true);
    expect(retries).toEqual([50]);
    await advance(50);
    expect(scheduler.getTask('job')).toMatchObject({ status: 'running', attempts: 2 });
    work.resolve('late for attempt 1', 1);
    await advance(100);
    expect(scheduler.getTask('job')).toMatchObject({ status: 'failed', attempts: 2 });
    expect(scheduler.getTask('job').error?.name).toBe('TaskTimeoutError');
    expect(armed()).toBe(0);
  });

  it('disarms the retry delay of a task cancelled in backoff', async () => {
    const { clock, armed, advance } = countedClock();
    const work = manualWork();
    const scheduler = createScheduler({ clock });
    scheduler.scheduleTask({ id: 'job', run: work.run, timeoutMs: 0, retry: { attempts: 3, backoffMs: 60_000 } });
    await settle();
    work.reject(new Error('first run fails'));
    await advance(0);
    expect(scheduler.getTask('job').pendingReason).toBe('backoff');
    expect(armed()).toBe(1);
    expect(scheduler.cancelTask('job')).toBe(true);
    expect(armed()).toBe(0);
  });
});
