import { copyFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createScheduler } from '../../src/core/createScheduler.js';
import { AttemptInterruptedError, DependencyTimeoutError, TaskNotRecoverableError, TaskSchedulingError } from '../../src/errors.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import type { TaskStore } from '../../src/core/TaskStore.js';
import type { AttemptOutcome, Executor } from '../../src/core/Executor.js';
import { inlineExecutor } from '../../src/executors/inlineExecutor.js';
import type { TaskContext, TaskRun } from '../../src/types.js';
import type { SchedulerOptions } from '../../src/core/SchedulerOptions.js';
import { settle, simulatedScheduler } from '../support/harness.js';
import { storedTask } from '../support/storedTask.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();

/** Work that never settles: the "crashed" scheduler stays exactly as it was when dropped. */
const forever: TaskRun = () => new Promise(() => {});

/** A scheduler on a simulated clock at `now`, on `store`. */
function open(store: TaskStore, now: number, options: SchedulerOptions = {}): { scheduler: Scheduler; clock: SimulatedClock; advance(ms: number): Promise<void> } {
  return simulatedScheduler({ maxWorkers: 1, defaultRetry: { attempts: 1 }, ...options, store }, now);
}

/** A store whose run (tasks a and b, one worker) was stopped while a's first attempt ran. */
async function stoppedWhileARuns(): Promise<TaskStore> {
  const store = memoryTaskStore();
  const first = open(store, 0, { handlers: { work: forever } });
  first.scheduler.scheduleTasks([{ id: 'a', type: 'work' }, { id: 'b', type: 'work' }]);
  await settle();
  await first.scheduler.stop({ graceMs: 0 });
  return store;
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
    // The blocker's attempt was interrupted: handed back (not its fault), it runs again first; the rest in queue order.
    expect(order).toEqual(['blocker', 'high-1', 'high-2', 'low', 'after-low']);
    expect(second.scheduler.getTask('blocker')).toMatchObject({ status: 'completed', attempts: 2, maxAttempts: 2 });
    expect(second.scheduler.getTask('high-1').readyAt).toBe(0);
  });

  it('starts an interrupted attempt again at once, numbered after it, without using a retry or waiting a backoff', async () => {
    const store = memoryTaskStore();
    const first = open(store, 0, { handlers: { work: forever } });
    first.scheduler.scheduleTask({ id: 'job', type: 'work', retry: { attempts: 3, backoffMs: 100 } });
    await settle();

    const attempts: number[] = [];
    const second = open(store, 10, { handlers: { work: (ctx: TaskContext) => void attempts.push(ctx.attempt) } });
    const retrying: unknown[] = [];
    second.scheduler.events.on('task:retrying', ({ error, attempt }) => retrying.push([attempt, error.name]));
    await settle();
    expect(retrying).toEqual([]);
    expect(attempts).toEqual([2]);
    // Three runs allowed for its own failures, plus the one handed back.
    expect(second.scheduler.getTask('job')).toMatchObject({ status: 'completed', attempts: 2, maxAttempts: 4 });
    expect(second.scheduler.recovered?.interrupted).toEqual([{ id: 'job', attempt: 1 }]);
    expect(store.load()[0]).toMatchObject({ status: 'completed', attempt: 2, interruptedAttempts: 1, stoppedAttempts: 0 });
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
    const store = await stoppedWhileARuns();
    expect(store.load().map((state) => [state.status, state.pendingReason, state.attempt, state.stoppedAttempts])).toEqual([
      ['pending', 'queued', 1, 1],
      ['pending', 'queued', 0, 0],
    ]);
  });

  it('runs an attempt stopped by stop() again on resume without counting it: a task with no retry left still gets its run, and after a crash too', async () => {
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

    // The same after a crash (no stop): attempt 1 was interrupted, its only one; handed back all the same,
    // but counted as an interruption, not as a stop.
    const crashed = memoryTaskStore();
    open(crashed, 0, { handlers: { work: forever } }).scheduler.scheduleTask({ id: 'a', type: 'work' });
    await settle();
    const third = open(crashed, 10, { handlers: { work: () => undefined } });
    await third.scheduler.onIdle();
    expect(third.scheduler.recovered).toMatchObject({ interrupted: [{ id: 'a', attempt: 1 }], stopped: [] });
    expect(third.scheduler.getTask('a')).toMatchObject({ status: 'completed', attempts: 2, maxAttempts: 2 });
    expect(crashed.load()[0]).toMatchObject({ interruptedAttempts: 1, stoppedAttempts: 0 });
  });
});

/** Crashes a scheduler on `store` with its one task's attempt running; returns the next one's attempts. */
async function crashWhileRunning(store: TaskStore, now: number, options: SchedulerOptions = {}): Promise<Scheduler> {
  const crashed = open(store, now, { ...options, handlers: { work: forever } });
  await settle();
  return crashed.scheduler;
}

describe.each([
  ['memoryTaskStore', (): TaskStore => memoryTaskStore()],
  ['sqliteStore', (): TaskStore => sqliteStore(temp.path(`interrupted-${Math.random().toString(36).slice(2)}.db`))],
])('crash interruptions on %s: a budget of their own (maxInterruptions), apart from retries', (_name, createStore) => {
  it('resumes a task with no retry (retry.attempts 1) through two crashes, counting each interruption and no retry', async () => {
    const store = createStore();
    open(store, 0, { handlers: { work: forever } }).scheduler.scheduleTask({ id: 'a', type: 'work', retry: { attempts: 1 } });
    await settle();
    // Crash 1, then the resumed attempt 2 runs when the second scheduler crashes too.
    await crashWhileRunning(store, 10);
    expect(store.load()[0]).toMatchObject({ status: 'running', attempt: 2, interruptedAttempts: 1 });

    const ran: number[] = [];
    const third = open(store, 20, { handlers: { work: (ctx: TaskContext) => void ran.push(ctx.attempt) } });
    await third.scheduler.onIdle();
    expect(ran).toEqual([3]);
    expect(third.scheduler.getTask('a')).toMatchObject({ status: 'completed', attempts: 3, maxAttempts: 3, error: undefined });
    expect(store.load()[0]).toMatchObject({ status: 'completed', attempt: 3, interruptedAttempts: 2, stoppedAttempts: 0 });
    (store as { close?: () => void }).close?.();
  });

  it('keeps retries for the task\'s own failures: an interrupted task that then fails still has its one retry', async () => {
    const store = createStore();
    open(store, 0, { handlers: { work: forever } }).scheduler.scheduleTask({ id: 'a', type: 'work', retry: { attempts: 2, backoffMs: 0 } });
    await settle();
    const ran: number[] = [];
    const second = open(store, 10, { handlers: { work: (ctx: TaskContext) => (ran.push(ctx.attempt), ctx.attempt === 2 ? Promise.reject(new Error('own fault')) : 'ok') } });
    await second.advance(10);
    expect(ran).toEqual([2, 3]);
    expect(second.scheduler.getTask('a')).toMatchObject({ status: 'completed', attempts: 3, maxAttempts: 3 });
    (store as { close?: () => void }).close?.();
  });

  it('fails a task interrupted more than its maxInterruptions with an AttemptInterruptedError naming the count, whatever retries it has left', async () => {
    const store = createStore();
    open(store, 0, { handlers: { work: forever } }).scheduler.scheduleTask({ id: 'a', type: 'work', retry: { attempts: 5 }, maxInterruptions: 1 });
    await settle();
    await crashWhileRunning(store, 10);
    const ran: number[] = [];
    const third = open(store, 20, { handlers: { work: (ctx: TaskContext) => void ran.push(ctx.attempt) } });
    await third.scheduler.onIdle();
    expect(ran).toEqual([]);
    const task = third.scheduler.getTask('a');
    expect(task).toMatchObject({ status: 'failed', attempts: 2 });
    expect(task.error).toBeInstanceOf(AttemptInterruptedError);
    expect(task.error).toMatchObject({ code: 'ATTEMPT_INTERRUPTED', interruptions: 2, maxInterruptions: 1 });
    expect(task.error?.message).toBe('task "a": attempt 2 was interrupted, its 2nd interruption (more than maxInterruptions 1) (its scheduler ended without stopping it: a crash or a kill)');
    expect(store.load()[0]).toMatchObject({ status: 'failed', interruptedAttempts: 2, error: { name: 'AttemptInterruptedError' } });
    (store as { close?: () => void }).close?.();
  });

  it('takes the scheduler\'s maxInterruptions for a task that gives none (0 fails it at the first crash), and keeps it in the store', async () => {
    const store = createStore();
    open(store, 0, { maxWorkers: 2, maxInterruptions: 0, handlers: { work: forever } }).scheduler.scheduleTasks([
      { id: 'a', type: 'work', retry: { attempts: 3 } },
      { id: 'own', type: 'work', maxInterruptions: 1 },
    ]);
    await settle();
    expect(store.load().map((state) => state.task.maxInterruptions)).toEqual([0, 1]);
    // The budget is the task's, as stored: the resuming scheduler's default does not change it.
    const second = open(store, 10, { maxWorkers: 2, handlers: { work: () => 'done' } });
    await second.scheduler.onIdle();
    expect(second.scheduler.getTask('a')).toMatchObject({ status: 'failed', attempts: 1, error: { interruptions: 1, maxInterruptions: 0 } });
    expect(second.scheduler.getTask('own')).toMatchObject({ status: 'completed', attempts: 2 });
    (store as { close?: () => void }).close?.();
  });

  it('gives a task stored before maxInterruptions existed the resuming scheduler\'s maxInterruptions', async () => {
    const store = createStore();
    // As a store of schema version 3 holds it: no maxInterruptions in its spec.
    const older = storedTask('old', 0, [], { type: 'work', retry: { attempts: 1, backoffMs: 0, backoffFactor: 1, maxBackoffMs: 0 } });
    expect('maxInterruptions' in older).toBe(false);
    store.addTasks([older]);
    store.record({ kind: 'started', id: 'old', at: 1, attempt: 1 });
    store.commit?.();
    const strict = open(store, 10, { maxInterruptions: 0, handlers: { work: () => 'done' } });
    await strict.scheduler.onIdle();
    expect(strict.scheduler.getTask('old')).toMatchObject({ status: 'failed', error: { interruptions: 1, maxInterruptions: 0 } });
    (store as { close?: () => void }).close?.();
  });
});

describe('crash interruptions with an executor that re-attaches (adopt)', () => {
  /** The inline executor, whose `adopt` reports later, as a remote executor does once it looked for the job. */
  function laterAdopting(outcomeOf: (taskId: string, attempt: number) => AttemptOutcome): Executor {
    const inline = inlineExecutor();
    return {
      name: 'later-adopting',
      start: (attempt, report) => inline.start(attempt, report),
      abort: (taskId, attempt, reason) => inline.abort(taskId, attempt, reason),
      adopt: (attempt, report) => void setTimeout(() => report(attempt.taskId, attempt.attempt, outcomeOf(attempt.taskId, attempt.attempt)), 5),
      get inFlight() {
        return inline.inFlight;
      },
      onSettled: () => inline.onSettled(),
    };
  }

  it('hands back an adopted attempt whose job is lost (AttemptInterruptedError), fails one whose worker was lost as a live run does, and takes a found one\'s outcome', async () => {
    class LostWorker extends AttemptInterruptedError {}
    const store = memoryTaskStore();
    // No timeout: this scheduler's clock is simulated, the next one's real.
    open(store, 0, { maxWorkers: 3, defaultTimeoutMs: 0, handlers: { work: forever } }).scheduler.scheduleTasks([
      { id: 'gone', type: 'work' },
      { id: 'worker-lost', type: 'work' },
      { id: 'found', type: 'work' },
    ]);
    await settle();
    const executor = laterAdopting((taskId, attempt): AttemptOutcome => {
      if (taskId === 'gone') return { ok: false, error: new AttemptInterruptedError(taskId, attempt) };
      if (taskId === 'worker-lost') return { ok: false, error: new LostWorker(taskId, attempt) };
      return { ok: true, result: 'ran on' };
    });
    const second = createScheduler({ maxWorkers: 3, defaultRetry: { attempts: 1 }, store, executor, handlers: { work: () => 'again' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await second.onIdle();
    expect(second.getTask('gone')).toMatchObject({ status: 'completed', attempts: 2, result: 'again' });
    expect(second.getTask('worker-lost')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(second.getTask('found')).toMatchObject({ status: 'completed', attempts: 1, result: 'ran on' });
    expect(store.load().map((state) => [state.task.id, state.interruptedAttempts])).toEqual([['gone', 1], ['worker-lost', 0], ['found', 0]]);
  });

  it('keeps the attempts of a recovered task that waits again, even where waiting tasks have no actor', async () => {
    const store = await stoppedWhileARuns();

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

describe('maxInterruptions: checked where it is given', () => {
  it.each([-1, 1.5, '3', Number.NaN])('refuses %s as a task\'s maxInterruptions, naming the field, and admits nothing of the batch', (value) => {
    const store = memoryTaskStore();
    const scheduler = createScheduler({ store, handlers: { work: () => undefined } });
    const call = (): unknown => scheduler.scheduleTasks([{ id: 'fine', type: 'work' }, { id: 'bad', type: 'work', maxInterruptions: value as number }]);
    expect(call).toThrow(TaskSchedulingError);
    expect(call).toThrow(/^tasks\[1\]\.maxInterruptions: expected an integer >= 0, received /);
    expect(store.load()).toEqual([]);
  });

  it.each([-1, 1.5, '3'])('refuses %s as the scheduler\'s maxInterruptions, naming the option', (value) => {
    expect(() => createScheduler({ maxInterruptions: value as number })).toThrow(/^options\.maxInterruptions: expected an integer >= 0, received /);
  });
});

describe('maxInterruptions of a resubmitted task', () => {
  it('names maxInterruptions when the same id comes again with another budget, and accepts any for a task stored before the field existed', async () => {
    const store = memoryTaskStore();
    open(store, 0, { handlers: { work: forever } }).scheduler.scheduleTask({ id: 'a', type: 'work', maxInterruptions: 2 });
    store.addTasks([storedTask('old', 1, [], { type: 'work', hasOwnRun: false, retry: { attempts: 1, backoffMs: 1000, backoffFactor: 2, maxBackoffMs: 60_000 } })]);
    await settle();
    const second = open(store, 10, { handlers: { work: forever } });
    expect(() => second.scheduler.scheduleTask({ id: 'a', type: 'work', maxInterruptions: 5 })).toThrow(
      'task.maxInterruptions: task "a" is already stored with another maxInterruptions (stored 2, given 5)',
    );
    expect(() => second.scheduler.scheduleTasks([{ id: 'a', type: 'work', maxInterruptions: 2 }, { id: 'old', type: 'work', priority: 3, timeoutMs: 0, maxInterruptions: 9 }])).not.toThrow();
  });
});
