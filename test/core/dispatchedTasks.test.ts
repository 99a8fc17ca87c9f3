import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { TaskTimeoutError } from '../../src/errors.js';
import { checkInvariants } from '../../src/simulate/invariants.js';
import { recordTrace } from '../../src/simulate/recordTrace.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import type { TaskRecord } from '../../src/types.js';
import { manualWork, settle, simulatedScheduler } from '../support/harness.js';
import { queuedExecutor } from '../support/queuedExecutor.js';

/** A scheduler on a simulated clock whose executor holds attempts until the test takes them. */
function queuedScheduler(options: Parameters<typeof simulatedScheduler>[0] = {}, startAt = 1000) {
  const executor = queuedExecutor();
  const sim = simulatedScheduler({ maxWorkers: 1, defaultRetry: { attempts: 1 }, ...options, executor }, startAt);
  const started: { id: string; attempt: number; startedAt: number | undefined }[] = [];
  sim.scheduler.events.on('task:started', ({ task, attempt }) => started.push({ id: task.id, attempt, startedAt: task.startedAt }));
  return { ...sim, executor, started };
}

describe('dispatched tasks (an executor with reportsActive)', () => {
  it('keeps a dispatched task pending, holding its worker slot and resources, until its executor reports it active', async () => {
    const { scheduler, executor, started, advance } = queuedScheduler({ resources: { cpu: 2 } });
    const work = manualWork();
    const waiting: string[] = [];
    scheduler.events.on('task:waiting', ({ task }) => waiting.push(`${task.id}:${task.pendingReason}`));
    scheduler.scheduleTasks([
      { id: 'a', run: work.run, resources: { cpu: 2 } },
      { id: 'b', run: work.run },
    ]);
    await advance(50);
    expect(waiting).toContain('a:dispatched');
    expect(executor.waiting).toEqual(['a']);
    expect(scheduler.getTask('a')).toMatchObject({ status: 'pending', pendingReason: 'dispatched', attempts: 1, startedAt: undefined });
    expect(scheduler.getTask('b')).toMatchObject({ status: 'pending', pendingReason: 'queued' });
    expect(scheduler.getStats()).toMatchObject({ pending: 2, running: 0, dispatched: 1, resources: { cpu: { used: 2 } } });
    expect(scheduler.explainTask('a').summary).toBe('attempt 1 holds a worker slot and waits for a worker: in the test queue');
    expect(scheduler.explainTask('b').summary).toBe('all workers are busy');
    expect(started).toEqual([]);
    expect(work.calls).toHaveLength(0);

    executor.take('a');
    await settle();
    expect(scheduler.getTask('a')).toMatchObject({ status: 'running', pendingReason: undefined, startedAt: 1050 });
    expect(scheduler.getStats()).toMatchObject({ pending: 1, running: 1, dispatched: 0 });
    expect(started).toEqual([{ id: 'a', attempt: 1, startedAt: 1050 }]);
    expect(work.calls).toHaveLength(1);
    expect(scheduler.explainTask('a').summary).toBe('task "a" is running');

    work.resolve('done', 1);
    await advance(10);
    expect(scheduler.getTask('a')).toMatchObject({ status: 'completed', result: 'done' });
    expect(executor.waiting).toEqual(['b']);
    expect(scheduler.getStats()).toMatchObject({ completed: 1, pending: 1, running: 0, dispatched: 1 });
  });

  it('counts the attempt timeout from when the work is active, not while it waits for a worker', async () => {
    const { scheduler, executor, advance } = queuedScheduler({ defaultTimeoutMs: 100 });
    const work = manualWork();
    scheduler.scheduleTask({ id: 'slow', run: work.run });
    await advance(5000);
    expect(scheduler.getTask('slow')).toMatchObject({ status: 'pending', pendingReason: 'dispatched' });
    executor.take('slow');
    await advance(99);
    expect(scheduler.getTask('slow').status).toBe('running');
    await advance(1);
    expect(scheduler.getTask('slow').status).toBe('failed');
    expect(scheduler.getTask('slow').error).toBeInstanceOf(TaskTimeoutError);
    expect(executor.aborted).toEqual(['slow:1']);
  });

  it('takes a result before the active report as work that ran, and a failure before it as work that never ran', async () => {
    const { scheduler, executor, started, advance } = queuedScheduler({ defaultRetry: { attempts: 2, backoffMs: 10 } });
    const order: string[] = [];
    for (const type of ['task:started', 'task:retrying', 'task:completed'] as const) scheduler.events.on(type, ({ task }: { task: TaskRecord }) => order.push(`${type}:${task.attempts}`));
    let calls = 0;
    scheduler.scheduleTask({ id: 'x', run: () => (++calls === 1 ? Promise.reject(new Error('first')) : 'second') });
    await advance(1);
    executor.runUnreported('x');
    await advance(10);
    expect(scheduler.getTask('x')).toMatchObject({ status: 'pending', pendingReason: 'dispatched', attempts: 2 });
    executor.runUnreported('x');
    await advance(1);
    expect(scheduler.getTask('x')).toMatchObject({ status: 'completed', result: 'second', attempts: 2 });
    // The failed first attempt was never announced as started; the second ran and completed.
    expect(order).toEqual(['task:retrying:1', 'task:started:2', 'task:completed:2']);
    expect(started.map((s) => s.startedAt)).toEqual([1011]);
    expect(scheduler.getStats()).toMatchObject({ pending: 0, running: 0, dispatched: 0, completed: 1 });
  });

  it('cancels a dispatched task: its job is taken back, it never started, and its slot goes to the next', async () => {
    const { scheduler, executor, started, advance } = queuedScheduler();
    const work = manualWork();
    scheduler.scheduleTasks([{ id: 'a', run: work.run }, { id: 'b', run: work.run }]);
    await advance(1);
    expect(scheduler.cancelTask('a', 'not needed')).toBe(true);
    await advance(1);
    expect(scheduler.getTask('a')).toMatchObject({ status: 'cancelled', startedAt: undefined });
    expect(executor.aborted).toEqual(['a:1']);
    expect(executor.waiting).toEqual(['b']);
    expect(started).toEqual([]);
    expect(scheduler.getStats()).toMatchObject({ pending: 1, running: 0, dispatched: 1, cancelled: 1 });
    await scheduler.stop();
    expect(scheduler.getTask('b').status).toBe('cancelled');
    expect(scheduler.getStats()).toMatchObject({ pending: 0, running: 0, dispatched: 0, cancelled: 2 });
  });

  it('ignores an active report of an attempt that already ended', async () => {
    const { scheduler, executor, started, advance } = queuedScheduler({ defaultRetry: { attempts: 2, backoffMs: 10 }, defaultTimeoutMs: 50 });
    const work = manualWork();
    scheduler.scheduleTask({ id: 'x', run: work.run });
    await advance(1);
    executor.take('x');
    await advance(50); // attempt 1 times out
    await advance(10); // attempt 2 is dispatched after the backoff
    expect(scheduler.getTask('x')).toMatchObject({ status: 'pending', pendingReason: 'dispatched', attempts: 2 });
    executor.attempts[0]?.active(); // attempt 1's worker speaks late
    executor.attempts[0]?.active();
    await settle();
    expect(scheduler.getTask('x')).toMatchObject({ status: 'pending', pendingReason: 'dispatched', attempts: 2 });
    expect(started.map((s) => s.attempt)).toEqual([1]);
    executor.take('x');
    executor.attempts[1]?.active(); // a repeated report of attempt 2
    await settle();
    expect(scheduler.getTask('x')).toMatchObject({ status: 'running', attempts: 2 });
    expect(started.map((s) => s.attempt)).toEqual([1, 2]);
    expect(scheduler.getStats()).toMatchObject({ running: 1, dispatched: 0, pending: 0 });
  });

  it('re-attaches after a restart: a dispatched attempt comes back dispatched, an active one running from its stored start', async () => {
    const store = memoryTaskStore();
    const first = queuedScheduler({ store, maxWorkers: 2, handlers: { work: () => new Promise(() => {}) } });
    first.scheduler.scheduleTasks([{ id: 'waits', type: 'work', timeoutMs: 100 }, { id: 'runs', type: 'work', timeoutMs: 100 }]);
    await first.advance(1);
    first.executor.take('runs');
    await first.advance(30);
    expect(store.load().find((s) => s.task.id === 'runs')).toMatchObject({ status: 'running', startedAt: 1001, activeAt: 1001 });
    expect(store.load().find((s) => s.task.id === 'waits')).toMatchObject({ status: 'running', startedAt: 1000, activeAt: undefined });

    const second = queuedScheduler({ store, maxWorkers: 2, handlers: { work: () => new Promise(() => {}) } }, 1031);
    await settle();
    expect([...second.executor.waiting].sort()).toEqual(['runs', 'waits']);
    expect(second.scheduler.getTask('waits')).toMatchObject({ status: 'pending', pendingReason: 'dispatched', startedAt: undefined });
    expect(second.scheduler.getTask('runs')).toMatchObject({ status: 'running', startedAt: 1001 });
    expect(second.scheduler.getStats()).toMatchObject({ pending: 1, running: 1, dispatched: 1 });
    // The active one's time ran from 1001; the dispatched one's starts when a worker takes it.
    await second.advance(70);
    expect(second.scheduler.getTask('runs').status).toBe('failed');
    expect(second.scheduler.getTask('waits').status).toBe('pending');
    second.executor.take('waits');
    await second.advance(99);
    expect(second.scheduler.getTask('waits')).toMatchObject({ status: 'running', startedAt: 1101 });
    await second.advance(1);
    expect(second.scheduler.getTask('waits').status).toBe('failed');
  });

  it('refuses an executor whose reportsActive is not a boolean, naming it', () => {
    const executor = { ...queuedExecutor(), reportsActive: 'yes' as unknown as boolean };
    expect(() => createScheduler({ executor })).toThrow('options.executor.reportsActive: expected true or false, received "yes"');
  });

  it('keeps a recorded trace legal: dispatched attempts are pending, so running never exceeds the workers', async () => {
    const { scheduler, executor, clock, advance } = queuedScheduler({ maxWorkers: 2, resources: { cpu: 2 }, defaultRetry: { attempts: 2, backoffMs: 5 } });
    const recorder = recordTrace(scheduler, { now: () => clock.now() });
    const work = manualWork();
    scheduler.scheduleTasks([
      { id: 'a', run: work.run, resources: { cpu: 1 } },
      { id: 'b', run: () => Promise.reject(new Error('once')), resources: { cpu: 1 } },
      { id: 'c', run: work.run, resources: { cpu: 1 } },
      { id: 'd', run: () => 'd', dependencies: ['a'] },
    ]);
    await advance(1);
    executor.take('a');
    executor.runUnreported('b'); // fails before its active report: it never ran, and retries
    await advance(1);
    scheduler.cancelTask('c'); // dispatched in b's freed slot, cancelled before it ran
    await advance(10);
    work.resolve('a', 1);
    await advance(10);
    for (const id of executor.waiting) executor.take(id);
    await advance(10);
    for (const id of executor.waiting) executor.take(id);
    await scheduler.onIdle();
    const trace = recorder.stop();
    expect(scheduler.listTasks().map((t) => [t.id, t.status])).toEqual([['a', 'completed'], ['b', 'failed'], ['c', 'cancelled'], ['d', 'completed']]);
    expect(trace.events.filter((e) => e.task === 'c').map((e) => e.to)).toEqual(['pending', 'cancelled']);
    expect(checkInvariants(trace)).toEqual([]);
  });


  it('never announces as started an attempt whose executor could not start it', async () => {
    const executor = queuedExecutor();
    const refusing = Object.assign(Object.create(executor) as typeof executor, {
      start: () => {
        throw new Error('no node can take it');
      },
    });
    const { scheduler, advance } = simulatedScheduler({ executor: refusing, defaultRetry: { attempts: 1 } }, 1000);
    const heard: string[] = [];
    for (const type of ['task:started', 'task:failed'] as const) scheduler.events.on(type, ({ task }) => heard.push(`${type} ${task.id}`));
    scheduler.scheduleTask({ id: 'a', run: () => 1 });
    await advance(1);
    expect(heard).toEqual(['task:failed a']);
    expect(scheduler.getTask('a')).toMatchObject({ status: 'failed', startedAt: undefined, error: { message: 'no node can take it' } });
    expect(scheduler.getStats()).toMatchObject({ running: 0, dispatched: 0, failed: 1 });
  });

  it('refuses a priority change once the task is dispatched, as once it started: its job is handed out', async () => {
    const { scheduler, advance } = queuedScheduler({ store: memoryTaskStore() });
    scheduler.scheduleTasks([{ id: 'a', run: () => 1 }, { id: 'b', run: () => 2 }]);
    await advance(1);
    expect(scheduler.getTask('a').pendingReason).toBe('dispatched');
    expect(scheduler.updateTaskPriority('a', 'highest')).toBe(false);
    expect(scheduler.getTask('a').priority).not.toBe(5);
    expect(scheduler.updateTaskPriority('b', 'highest')).toBe(true);
  });
});
