import { copyFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createScheduler } from '../src/core/createScheduler.js';
import { AttemptInterruptedError, DependencyTimeoutError, TaskNotRecoverableError, TaskSchedulingError } from '../src/errors.js';
import type { Scheduler } from '../src/core/scheduler.js';
import { memoryTaskStore } from '../src/stores/memoryTaskStore.js';
import { sqliteStore } from '../src/stores/sqlite/sqliteStore.js';
import type { TaskStore } from '../src/core/TaskStore.js';
import type { TaskContext, TaskRun } from '../src/types.js';
import type { SchedulerOptions } from '../src/core/SchedulerOptions.js';
import { settle, simulatedScheduler } from './support/harness.js';
import { useTempFolder } from './support/tempStore.js';

const temp = useTempFolder();

/** Work that never settles: the "crashed" scheduler stays exactly as it was when dropped. */
const forever: TaskRun = () => new Promise(() => {});

/** A scheduler on a simulated clock at `now`, on `store`. */
function open(store: TaskStore, now: number, options: SchedulerOptions = {}): { scheduler: Scheduler; clock: SimulatedClock; advance(ms: number): Promise<void> } {
  return simulatedScheduler({ maxWorkers: 1, defaultRetry: { attempts: 1 }, ...options, store }, now);
}

describe('restoreRun (createScheduler on a store that holds a run)', () => {
  it('keeps finished tasks with their status, result and error, and never runs them again', async () => {
    const store = memoryTaskStore();
    const first = open(store, 0, { handlers: { ok: () => 'fine', bad: () => Promise.reject(new Error('broken')), slow: forever } });
    first.scheduler.scheduleTasks([
      { id: 'done', type: 'ok' },
      { id: 'broken', type: 'bad' },
      { id: 'cancelled', type: 'slow', dependencies: ['done'] },
      { id: 'doomed', type: 'ok', dependencies: ['broken'] },
    ]);
    await settle();
    first.scheduler.cancelTask('cancelled', 'not needed');
    await settle();

    const runs: string[] = [];
    const track = (type: string): TaskRun => (ctx) => void runs.push(`${type}:${ctx.task.id}`);
    const second = open(store, 100, { handlers: { ok: track('ok'), bad: track('bad'), slow: track('slow') } });
    await settle();
    expect(runs).toEqual([]);
    expect(second.scheduler.getTask('done')).toMatchObject({ status: 'completed', result: 'fine', attempts: 1 });
    expect(second.scheduler.getTask('broken').error).toMatchObject({ name: 'Error', message: 'broken' });
    expect(second.scheduler.getTask('cancelled').status).toBe('cancelled');
    // The same error as before the restart, from the stored reason.
    expect(first.scheduler.getTask('cancelled').error).toMatchObject({ name: 'TaskCancelledError', message: 'task "cancelled" was cancelled: not needed' });
    expect(second.scheduler.getTask('cancelled').error).toMatchObject({ name: 'TaskCancelledError', message: 'task "cancelled" was cancelled: not needed' });
    expect(second.scheduler.getTask('doomed').error?.name).toBe('UpstreamFailedError');
    await expect(second.scheduler.waitForTask('done')).resolves.toMatchObject({ status: 'completed' });
    expect(second.scheduler.recovered).toEqual({
      tasks: 4,
      finished: { completed: 1, failed: 2, cancelled: 1 },
      pending: 0,
      interrupted: [],
      stopped: [],
      unrecoverable: [],
    });
    expect(second.scheduler.getStats()).toMatchObject({ completed: 1, failed: 2, cancelled: 1, pending: 0, running: 0 });
  });

  it('lets pending tasks wait again: dependencies, priority and submission order as they were', async () => {
    const store = memoryTaskStore();
    const first = open(store, 0, { handlers: { work: forever } });
    first.scheduler.scheduleTasks([
      { id: 'blocker', type: 'work', priority: 'highest' },
      { id: 'low', type: 'work', priority: 'low' },
      { id: 'high-1', type: 'work', priority: 'high' },
      { id: 'high-2', type: 'work', priority: 'high' },
      { id: 'after-low', type: 'work', priority: 'highest', dependencies: ['low'] },
    ]);
    await settle();
    expect(first.scheduler.getTask('blocker').status).toBe('running');

    const order: string[] = [];
    const second = open(store, 50, { handlers: { work: (ctx: TaskContext) => void order.push(ctx.task.id) } });
    await second.scheduler.onIdle();
    // The blocker's attempt was its only one: interrupted, it fails; the rest run in queue order.
    expect(second.scheduler.getTask('blocker').error).toBeInstanceOf(AttemptInterruptedError);
    expect(order).toEqual(['high-1', 'high-2', 'low', 'after-low']);
    expect(second.scheduler.getTask('high-1').readyAt).toBe(0);
  });

  it('retries an attempt that was running when attempts remain, counting the interrupted one', async () => {
    const store = memoryTaskStore();
    const first = open(store, 0, { handlers: { work: forever } });
    first.scheduler.scheduleTask({ id: 'job', type: 'work', retry: { attempts: 3, backoffMs: 100 } });
    await settle();

    const attempts: number[] = [];
    const second = open(store, 10, { handlers: { work: (ctx: TaskContext) => void attempts.push(ctx.attempt) } });
    const retrying: unknown[] = [];
    second.scheduler.events.on('task:retrying', ({ error, attempt }) => retrying.push([attempt, error.name]));
    await second.advance(100);
    expect(retrying).toEqual([[1, 'AttemptInterruptedError']]);
    expect(attempts).toEqual([2]);
    expect(second.scheduler.getTask('job')).toMatchObject({ status: 'completed', attempts: 2 });
    expect(second.scheduler.recovered?.interrupted).toEqual([{ id: 'job', attempt: 1 }]);
  });

  it('keeps a retry deadline: a task in backoff retries at its stored time, not a new delay later', async () => {
    const store = memoryTaskStore();
    let fail = true;
    const first = open(store, 0, { handlers: { work: () => (fail ? Promise.reject(new Error('flaky')) : forever({} as TaskContext)) } });
    first.scheduler.scheduleTask({ id: 'job', type: 'work', retry: { attempts: 2, backoffMs: 1000 } });
    await first.advance(300);
    expect(first.scheduler.getTask('job').pendingReason).toBe('backoff');

    fail = false;
    const started: number[] = [];
    const second = open(store, 300, { handlers: { work: () => void started.push(second.clock.now()) } });
    expect(second.scheduler.getTask('job').pendingReason).toBe('backoff');
    await second.advance(699);
    expect(started).toEqual([]);
    await second.advance(1);
    expect(started).toEqual([1000]);
  });

  it('keeps a dependency deadline: a task waiting for its dependencies fails at its stored time', async () => {
    const store = memoryTaskStore();
    const first = open(store, 0, { dependencyTimeoutMs: 5000, maxWorkers: 2, handlers: { work: forever } });
    first.scheduler.scheduleTasks([{ id: 'up', type: 'work', retry: { attempts: 2, backoffMs: 10_000 } }, { id: 'down', type: 'work', dependencies: ['up'] }]);
    await first.advance(4000);

    const second = open(store, 4000, { dependencyTimeoutMs: 5000, maxWorkers: 2, handlers: { work: forever } });
    await second.advance(999);
    expect(second.scheduler.getTask('down').status).toBe('pending');
    await second.advance(1);
    expect(second.scheduler.getTask('down').error).toBeInstanceOf(DependencyTimeoutError);
  });

  it('resumes `run` closures through the handler of their type, and fails a task with neither, naming it', async () => {
    const store = memoryTaskStore();
    const first = open(store, 0, { maxWorkers: 1, handlers: { block: forever } });
    first.scheduler.scheduleTasks([
      { id: 'blocker', type: 'block' },
      { id: 'has-handler', type: 'known', run: forever },
      { id: 'closure-only', type: 'custom', run: forever },
      { id: 'downstream', type: 'known', run: forever, dependencies: ['closure-only'] },
    ]);
    await settle();

    const ran: string[] = [];
    const second = open(store, 10, { maxWorkers: 2, handlers: { block: forever, known: (ctx: TaskContext) => void ran.push(ctx.task.id) } });
    await settle();
    const error = second.scheduler.getTask('closure-only').error;
    expect(error).toBeInstanceOf(TaskNotRecoverableError);
    expect(error?.message).toContain('task "closure-only" was recovered from the store');
    expect(error?.message).toContain('no handler is registered for its type "custom"');
    expect(second.scheduler.getTask('downstream').error?.name).toBe('UpstreamFailedError');
    expect(ran).toEqual(['has-handler']);
    expect(second.scheduler.recovered?.unrecoverable).toEqual(['closure-only']);
  });

  it('gives a recovered task its closure back when the same batch is scheduled again right away', async () => {
    const store = memoryTaskStore();
    const retry = { attempts: 2, backoffMs: 5 };
    const batch = (run: TaskRun) => [{ id: 'a', type: 'custom', run, retry }, { id: 'b', type: 'custom', run, retry, dependencies: ['a'] }];
    const first = open(store, 0);
    first.scheduler.scheduleTasks(batch(forever));
    await settle();

    const ran: string[] = [];
    const second = open(store, 10);
    expect(second.scheduler.scheduleTasks(batch((ctx) => void ran.push(`${ctx.task.id}#${ctx.attempt}`)))).toEqual(['a', 'b']);
    expect(second.scheduler.listTasks()).toHaveLength(2);
    await second.advance(5);
    await second.scheduler.onIdle();
    expect(ran).toEqual(['a#2', 'b#1']);
  });

  it('adds nothing when the same batch is scheduled again, and names the field of a different spec', async () => {
    const store = memoryTaskStore();
    const specs = [
      { id: 'x', type: 'work', priority: 'high' as const, config: { depth: 2, mode: 'fast' } },
      { id: 'y', type: 'work', dependencies: ['x'], resources: { cpu: 1 } },
    ];
    const first = open(store, 0, { handlers: { work: () => 'ok' } });
    first.scheduler.scheduleTasks(specs);
    await first.scheduler.onIdle();

    const second = open(store, 10, { handlers: { work: () => 'ok' } });
    const scheduled: string[] = [];
    second.scheduler.events.on('task:scheduled', ({ task }) => scheduled.push(task.id));
    // The same specs, keys in another order: the same tasks.
    expect(second.scheduler.scheduleTasks([{ ...specs[0], config: { mode: 'fast', depth: 2 } } as (typeof specs)[0], specs[1]!])).toEqual(['x', 'y']);
    expect(scheduled).toEqual([]);
    expect(store.load()).toHaveLength(2);

    let error: unknown;
    try {
      second.scheduler.scheduleTasks([{ id: 'z', type: 'work' }, { ...specs[0]!, config: { depth: 3, mode: 'fast' } }]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TaskSchedulingError);
    expect((error as TaskSchedulingError).field).toBe('tasks[1].config');
    expect((error as Error).message).toContain('task "x" is already stored with another config (stored {"depth":2,"mode":"fast"}, given {"depth":3,"mode":"fast"})');
    expect(second.scheduler.hasTask('z')).toBe(false);
    expect(() => second.scheduler.scheduleTask({ id: 'y', type: 'work', dependencies: ['x'], resources: { cpu: 2 } })).toThrow(/^task\.resources: task "y"/);
  });

  it('builds no record past maxFinishedRecords, still counts those tasks, and never runs them again', async () => {
    const store = memoryTaskStore();
    const batch = Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, type: 'work', ...(i === 5 ? { dependencies: ['t4'] } : {}) }));
    const first = open(store, 0, { maxWorkers: 1, handlers: { work: () => 'ok' } });
    first.scheduler.scheduleTasks(batch.slice(0, 5));
    await first.scheduler.onIdle();

    const ran: string[] = [];
    const second = open(store, 10, { maxFinishedRecords: 2, handlers: { work: (ctx: TaskContext) => void ran.push(ctx.task.id) } });
    expect(second.scheduler.getStats()).toMatchObject({ completed: 5, pending: 0 });
    expect(second.scheduler.listTasks().map((task) => task.id)).toEqual(['t3', 't4']);
    expect(second.scheduler.scheduleTasks(batch)).toEqual(batch.map((task) => task.id));
    await second.scheduler.onIdle();
    expect(ran).toEqual(['t5']);
    expect(second.scheduler.getStats()).toMatchObject({ completed: 6 });
  });

  it('leaves pending tasks as they were when the scheduler is stopped, and hands back the attempts it stopped, to be resumed', async () => {
    const store = memoryTaskStore();
    const first = open(store, 0, { handlers: { work: forever } });
    first.scheduler.scheduleTasks([{ id: 'a', type: 'work' }, { id: 'b', type: 'work' }]);
    await settle();
    await first.scheduler.stop({ graceMs: 0 });
    expect(store.load().map((state) => [state.status, state.pendingReason, state.attempt, state.stoppedAttempts])).toEqual([
      ['pending', 'queued', 1, 1],
      ['pending', 'queued', 0, 0],
    ]);
  });

  it('runs an attempt stopped by stop() again on resume without counting it: a task with no retry left still gets its run, a crash still counts', async () => {
    const store = memoryTaskStore();
    const first = open(store, 0, { handlers: { work: forever } });
    first.scheduler.scheduleTasks([{ id: 'a', type: 'work' }, { id: 'b', type: 'work', dependencies: ['a'] }]);
    await settle();
    // Ctrl-C: the run stops itself, and attempt 1 of a (its only one) with it.
    await first.scheduler.stop({ graceMs: 0 });

    const ran: string[] = [];
    const second = open(store, 10, { handlers: { work: (ctx: TaskContext) => void ran.push(`${ctx.task.id}#${ctx.attempt}`) } });
    await second.scheduler.onIdle();
    expect(second.scheduler.recovered).toMatchObject({ interrupted: [], stopped: [{ id: 'a', attempt: 1 }] });
    expect(ran).toEqual(['a#2', 'b#1']);
    // Attempt numbers stay unique (a late outcome of the stopped one is never taken for the new one).
    expect(second.scheduler.getTask('a')).toMatchObject({ status: 'completed', attempts: 2, maxAttempts: 2 });
    expect(second.scheduler.getTask('b')).toMatchObject({ status: 'completed', attempts: 1, maxAttempts: 1 });
    await second.scheduler.stop();

    // The same after a crash (no stop): attempt 1 was interrupted, and it was the only one.
    const crashed = memoryTaskStore();
    open(crashed, 0, { handlers: { work: forever } }).scheduler.scheduleTask({ id: 'a', type: 'work' });
    await settle();
    const third = open(crashed, 10, { handlers: { work: () => undefined } });
    await third.scheduler.onIdle();
    expect(third.scheduler.getTask('a')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(third.scheduler.getTask('a').error).toBeInstanceOf(AttemptInterruptedError);
  });

  it('keeps the attempts of a recovered task that waits again, even where waiting tasks have no actor', async () => {
    const store = memoryTaskStore();
    const first = open(store, 0, { handlers: { work: forever } });
    first.scheduler.scheduleTasks([{ id: 'a', type: 'work' }, { id: 'b', type: 'work' }]);
    await settle();
    await first.scheduler.stop({ graceMs: 0 });

    const ran: string[] = [];
    // liveActorLimit 0: every task that only waits is dormant, so its attempts live in no actor yet.
    const second = open(store, 10, { liveActorLimit: 0, handlers: { work: (ctx: TaskContext) => void ran.push(`${ctx.task.id}#${ctx.attempt}`) } });
    // Read before the first pump (a microtask away): both still wait.
    expect(second.scheduler.getTask('a')).toMatchObject({ status: 'pending', pendingReason: 'queued', attempts: 1 });
    expect(second.scheduler.getTask('b')).toMatchObject({ status: 'pending', pendingReason: 'queued', attempts: 0 });
    await second.scheduler.onIdle();
    expect(ran).toEqual(['a#2', 'b#1']);
    expect(second.scheduler.getTask('a')).toMatchObject({ status: 'completed', attempts: 2 });
    await second.scheduler.stop();
  });
});

describe('restoreRun on an SQLite store', () => {
  it('keeps what a stop handed back across the file: the stopped attempt runs again, uncounted, after the store is opened again', async () => {
    const file = temp.path('stopped.db');
    const store = sqliteStore(file);
    const first = open(store, 0, { handlers: { work: forever } });
    first.scheduler.scheduleTask({ id: 'a', type: 'work' });
    await settle();
    await first.scheduler.stop({ graceMs: 0 });
    store.close();

    const reopened = sqliteStore(file);
    expect(reopened.load().map((state) => [state.status, state.attempt, state.stoppedAttempts])).toEqual([['pending', 1, 1]]);
    const second = open(reopened, 10, { handlers: { work: (ctx: TaskContext) => ctx.attempt } });
    await second.scheduler.onIdle();
    expect(second.scheduler.getTask('a')).toMatchObject({ status: 'completed', attempts: 2, maxAttempts: 2, result: 2 });
    await second.scheduler.stop();
    reopened.close();
  });

  it('recovers from the committed state a kill would leave: nothing acknowledged is lost', async () => {
    const file = temp.path('run.db');
    const store = sqliteStore(file);
    const acknowledged: string[] = [];
    const first = open(store, 0, { maxWorkers: 2, handlers: { ok: () => 'ok', hang: forever } });
    first.scheduler.events.on('task:completed', ({ task }) => {
      // The completion is durable before anyone hears of it.
      expect(store.uncommitted).toBe(0);
      acknowledged.push(task.id);
    });
    first.scheduler.scheduleTasks([
      { id: 'a', type: 'ok' },
      { id: 'b', type: 'ok', dependencies: ['a'] },
      { id: 'c', type: 'hang', retry: { attempts: 2, backoffMs: 50 } },
      { id: 'd', type: 'ok', dependencies: ['c'] },
    ]);
    const record = await first.scheduler.waitForTask('b');
    expect(store.uncommitted).toBe(0);
    expect(record.status).toBe('completed');
    await settle();

    // What a SIGKILL leaves: the file and its WAL as committed, copied while the run still holds them.
    const copy = temp.path('after-kill.db');
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    const ran: string[] = [];
    const resumed = sqliteStore(copy);
    const second = open(resumed, 10, { maxWorkers: 2, handlers: { ok: (ctx: TaskContext) => void ran.push(ctx.task.id), hang: (ctx: TaskContext) => void ran.push(ctx.task.id) } });
    await second.advance(50);
    await second.scheduler.onIdle();
    expect(acknowledged).toEqual(['a', 'b']);
    expect(ran).toEqual(['c', 'd']);
    expect(second.scheduler.listTasks().map((task) => [task.id, task.status, task.attempts])).toEqual([
      ['a', 'completed', 1],
      ['b', 'completed', 1],
      ['c', 'completed', 2],
      ['d', 'completed', 1],
    ]);
    resumed.close();
    store.close();
  });
});

describe('an id the scheduler dropped (past maxFinishedRecords), with an SQLite store', () => {
  it('can be used again for a new task in the same process, and the store keeps the new one', async () => {
    const file = temp.path('run.db');
    const store = sqliteStore(file);
    const s = createScheduler({ store, maxFinishedRecords: 2, defaultRetry: { attempts: 1 } });
    s.scheduleTask({ id: 'a', run: async () => 'old' });
    await s.onIdle();
    s.scheduleTasks([0, 1, 2, 3].map((i) => ({ id: `f${i}`, run: async () => i })));
    await s.onIdle();
    expect(s.hasTask('a')).toBe(false);
    const id = s.scheduleTask({ id: 'a', run: async () => 'new' });
    expect(await s.waitForTask(id)).toMatchObject({ status: 'completed', result: 'new' });
    await s.stop();
    store.close();
    const again = sqliteStore(file);
    expect(again.load().find((state) => state.task.id === 'a')).toMatchObject({ status: 'completed', result: 'new' });
    again.close();
  });
});
