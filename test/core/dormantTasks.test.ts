import type { InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { InvalidOptionsError } from '../../src/errors.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import { manualWork, settle, simulatedScheduler } from '../support/harness.js';

/** Task actors the inspector has seen created (the scheduler's own actors excluded). */
function actorsSeen(): { inspect: (event: InspectionEvent) => void; ids: Set<string> } {
  const ids = new Set<string>();
  return {
    ids,
    inspect: (event) => {
      const { id } = event.actorRef as { id?: string };
      if (event.type === '@xstate.actor' && id?.startsWith('t')) ids.add(id);
    },
  };
}

describe('dormant tasks (past liveActorLimit)', () => {
  it('refuses a liveActorLimit that is not an integer >= 0, naming the option', () => {
    for (const bad of [-1, 1.5, Number.NaN, '10', null]) {
      expect(() => createScheduler({ liveActorLimit: bad as number })).toThrow(InvalidOptionsError);
      expect(() => createScheduler({ liveActorLimit: bad as number })).toThrow(/options\.liveActorLimit: expected an integer >= 0/);
    }
  });

  it('takes Infinity as "every waiting task keeps its actor"', () => {
    const seen = actorsSeen();
    const scheduler = createScheduler({ liveActorLimit: Number.POSITIVE_INFINITY, autoStart: false, inspect: seen.inspect });
    scheduler.scheduleTasks(['t1', 't2', 't3'].map((id) => ({ id, run: async () => id })));
    expect([...seen.ids].sort()).toEqual(['t1', 't2', 't3']);
  });

  it('ends dormant tasks cancelled while they wait without creating their actors', async () => {
    const seen = actorsSeen();
    const { scheduler } = simulatedScheduler({ liveActorLimit: 0, autoStart: false, inspect: seen.inspect });
    const cancelled: string[] = [];
    scheduler.events.on('task:cancelled', ({ task, reason }) => cancelled.push(`${task.id}: ${reason}`));
    scheduler.scheduleTasks([
      { id: 't1', run: async () => 1 },
      { id: 't2', run: async () => 2, dependencies: ['t1'] },
    ]);
    expect(scheduler.cancelTask('t1', 'not needed')).toBe(true);
    expect(scheduler.getTaskStatus('t1')).toBe('cancelled');
    await settle();
    expect(cancelled).toEqual(['t1: not needed', 't2: dependency "t1" was cancelled']);
    expect(scheduler.getTask('t2')).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect(seen.ids.size).toBe(0);
    expect(scheduler.cancelTask('t1')).toBe(false);
  });

  it('gives actors to the first tasks up to the limit, the rest when they start', async () => {
    const seen = actorsSeen();
    const work = manualWork();
    const { scheduler } = simulatedScheduler({ liveActorLimit: 2, maxWorkers: 1, inspect: seen.inspect, defaultRetry: { attempts: 1 } });
    scheduler.scheduleTasks(['t1', 't2', 't3', 't4'].map((id) => ({ id, run: work.run })));
    expect([...seen.ids].sort()).toEqual(['t1', 't2']);
    // A dormant task reads as its machine's waiting state.
    expect(scheduler.getTask('t4')).toMatchObject({ status: 'pending', pendingReason: 'queued' });
    await settle();
    expect(scheduler.getTaskStatus('t1')).toBe('running');
    for (let i = 1; i <= 4; i++) {
      work.resolve(i);
      await settle();
    }
    expect(scheduler.listTasks().map((t) => t.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect([...seen.ids].sort()).toEqual(['t1', 't2', 't3', 't4']);
    await scheduler.stop();
  });

  it('pauses and resumes dormant tasks through the machine without creating their actors', async () => {
    const seen = actorsSeen();
    const { scheduler } = simulatedScheduler({ liveActorLimit: 0, inspect: seen.inspect });
    scheduler.pause();
    scheduler.scheduleTasks([{ id: 't1', run: async () => 1 }, { id: 't2', run: async () => 2, dependencies: ['t1'] }]);
    expect(scheduler.getTask('t1').pendingReason).toBe('paused');
    expect(scheduler.getTask('t2').pendingReason).toBe('dependencies');
    scheduler.resume();
    expect(scheduler.getTask('t1').pendingReason).toBe('queued');
    scheduler.pause();
    expect(scheduler.getTask('t1').pendingReason).toBe('paused');
    await settle();
    expect(seen.ids.size).toBe(0);
    scheduler.resume();
    await scheduler.onIdle();
    expect(scheduler.getTaskStatus('t2')).toBe('completed');
    expect([...seen.ids].sort()).toEqual(['t1', 't2']);
    await scheduler.stop();
  });

  it('cancels a dormant task, dooms its dormant dependents, and fails one whose dependency wait expires', async () => {
    const { scheduler, advance } = simulatedScheduler({ liveActorLimit: 0, dependencyTimeoutMs: 100, autoStart: false });
    scheduler.scheduleTasks([
      { id: 'a', run: async () => 1 },
      { id: 'b', run: async () => 2, dependencies: ['a'] },
      { id: 'c', run: async () => 3 },
      { id: 'd', run: async () => 4, dependencies: ['c'] },
    ]);
    expect(scheduler.cancelTask('a', 'not needed')).toBe(true);
    await settle();
    expect(scheduler.getTask('a')).toMatchObject({ status: 'cancelled' });
    expect(scheduler.getTask('b')).toMatchObject({ status: 'cancelled' });
    await advance(100);
    expect(scheduler.getTask('d').status).toBe('failed');
    expect(scheduler.getTask('d').error?.name).toBe('DependencyTimeoutError');
    expect(scheduler.getTaskStatus('c')).toBe('pending');
    await scheduler.stop();
    expect(scheduler.getTaskStatus('c')).toBe('cancelled');
  });

  it('keeps recovered waiting tasks dormant, with the attempts they had', async () => {
    const store = memoryTaskStore();
    const flaky = manualWork();
    const first = simulatedScheduler({ store, liveActorLimit: 0, maxWorkers: 1, handlers: { flaky: flaky.run, job: async () => 'ok' } });
    first.scheduler.scheduleTasks([
      { id: 'flaky', type: 'flaky', priority: 'highest', retry: { attempts: 2, backoffMs: 10 } },
      { id: 'after', type: 'job', dependencies: ['flaky'] },
    ]);
    await settle();
    flaky.reject(new Error('first run fails'));
    await first.advance(5);
    first.scheduler.pause();
    await first.advance(10);
    expect(first.scheduler.getTask('flaky')).toMatchObject({ status: 'pending', pendingReason: 'paused', attempts: 1 });
    // The first scheduler is dropped here, as a crash would; the second recovers the store.
    const attempts: number[] = [];
    const second = simulatedScheduler({ store, liveActorLimit: 0, handlers: { flaky: ({ attempt }) => void attempts.push(attempt), job: async () => 'ok' } }, 100);
    expect(second.scheduler.getTask('flaky')).toMatchObject({ status: 'pending', pendingReason: 'queued', attempts: 1 });
    expect(second.scheduler.getTask('after')).toMatchObject({ status: 'pending', pendingReason: 'dependencies' });
    await second.scheduler.onIdle();
    expect(attempts).toEqual([2]);
    expect(second.scheduler.getTask('flaky')).toMatchObject({ status: 'completed', attempts: 2 });
    expect(second.scheduler.getTask('after').status).toBe('completed');
    await second.scheduler.stop();
  });
});
