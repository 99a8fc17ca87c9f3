import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { SchedulerClock } from '../../src/types.js';
import type { Executor, OutcomeSink } from '../../src/core/Executor.js';
import { manualWork, settle, simulatedScheduler } from '../support/harness.js';

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

  it('keeps stats and records in step for listeners when the executor reports an aborted attempt at once', async () => {
    // Two attempts time out in one clock step; aborting the first makes this executor report at
    // once, inside that task's transition. No event may leave from there, half-way.
    const reports = new Map<string, OutcomeSink>();
    const executor: Executor = {
      name: 'reports-on-abort',
      inFlight: 0,
      start: ({ taskId }, report) => void reports.set(taskId, report),
      abort: (taskId, attempt, reason) => reports.get(taskId)?.(taskId, attempt, { ok: false, error: reason }),
      onSettled: async () => {},
    };
    const { scheduler, clock } = simulatedScheduler({ executor, maxWorkers: 2, defaultRetry: { attempts: 1 } });
    const disagreements: string[] = [];
    scheduler.events.on('task:failed', ({ task }) => {
      const running = scheduler.listTasks().filter((record) => record.status === 'running').length;
      if (scheduler.getStats().running !== running) disagreements.push(`${task.id} failed: stats say ${scheduler.getStats().running} running, records ${running}`);
    });
    scheduler.scheduleTasks([{ id: 'a', run: () => undefined, timeoutMs: 20 }, { id: 'b', run: () => undefined, timeoutMs: 100 }]);
    await settle();
    clock.increment(150);
    await settle();
    expect(scheduler.listTasks().map((task) => task.status)).toEqual(['failed', 'failed']);
    expect(disagreements).toEqual([]);
  });
});
