import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import { foldTransition, initialTaskState, memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import { wasStopped } from '../../src/stores/wasStopped.js';
import type { StoredTask, StoredTaskState, TaskStore } from '../../src/core/TaskStore.js';
import { manualWork, settle, type ManualWork } from '../support/harness.js';
import { storedTask } from '../support/storedTask.js';

const stored = storedTask;

const ids = (store: TaskStore) => store.load().map((s) => s.task.id);

/**
 * The store agrees with the live scheduler on every task it keeps: status, attempts, backoff
 * (with its retry time) and the final result or error message.
 */
function expectAgreement(store: TaskStore, scheduler: Scheduler, retryAtOf: (id: string) => number | undefined): void {
  for (const state of store.load()) {
    const record = scheduler.getTask(state.task.id);
    const where = `task "${state.task.id}"`;
    expect(state.status, where).toBe(record.status);
    expect(state.attempt, where).toBe(record.attempts);
    expect(state.pendingReason === 'backoff', where).toBe(record.pendingReason === 'backoff');
    // Set while in backoff, and only then.
    expect(state.retryAt, where).toBe(record.pendingReason === 'backoff' ? retryAtOf(record.id) : undefined);
    if (record.status === 'completed') expect(state.result, where).toEqual(record.result);
    if (record.status === 'failed') expect(state.error?.message, where).toBe(record.error?.message);
    if (record.status === 'cancelled') expect(state.cancelReason, where).toBeTypeOf('string');
  }
}

describe('initialTaskState', () => {
  it('is pending and queued at creation for a task without dependencies', () => {
    expect(initialTaskState(stored('a', 1))).toMatchObject({ status: 'pending', pendingReason: 'queued', readyAt: 5, attempt: 0 });
  });

  it('waits for dependencies, not yet ready, for a task with some', () => {
    expect(initialTaskState(stored('b', 2, ['a']))).toMatchObject({ status: 'pending', pendingReason: 'dependencies', readyAt: undefined });
  });
});

describe('foldTransition', () => {
  const fold = (task: StoredTask, ...transitions: Parameters<typeof foldTransition>[1][]): StoredTaskState => {
    const state = { ...initialTaskState(task) };
    for (const t of transitions) foldTransition(state, t);
    return state;
  };
  const boom = { name: 'Error', message: 'boom' };

  it('follows a task through a failed attempt, its backoff, a retry and success', () => {
    const task = stored('a', 1);
    expect(fold(task, { kind: 'started', id: 'a', at: 10, attempt: 1 })).toMatchObject({ status: 'running', pendingReason: undefined, attempt: 1, startedAt: 10 });
    const backoff = fold(task, { kind: 'started', id: 'a', at: 10, attempt: 1 }, { kind: 'retrying', id: 'a', at: 20, attempt: 1, retryAt: 120, error: boom });
    expect(backoff).toMatchObject({ status: 'pending', pendingReason: 'backoff', retryAt: 120, attempt: 1, error: boom });
    const done = fold(
      task,
      { kind: 'started', id: 'a', at: 10, attempt: 1 },
      { kind: 'retrying', id: 'a', at: 20, attempt: 1, retryAt: 120, error: boom },
      { kind: 'ready', id: 'a', at: 120 },
      { kind: 'started', id: 'a', at: 120, attempt: 2 },
      { kind: 'completed', id: 'a', at: 150, result: 42 },
    );
    expect(done).toMatchObject({ status: 'completed', pendingReason: undefined, retryAt: undefined, attempt: 2, result: 42, error: undefined, completedAt: 150 });
  });

  it('folds an interrupted attempt back to the queue, counted apart from stops, and keeps its start so it is not taken for a stop', () => {
    const started = { kind: 'started', id: 'a', at: 10, attempt: 1 } as const;
    const interrupted = fold(stored('a', 1), started, { kind: 'interrupted', id: 'a', at: 20, attempt: 1 });
    expect(interrupted).toMatchObject({ status: 'pending', pendingReason: 'queued', attempt: 1, interruptedAttempts: 1, stoppedAttempts: 0, startedAt: 10, activeAt: undefined });
    expect(wasStopped(interrupted)).toBe(false);
    const stopped = fold(stored('a', 1), started, { kind: 'stopped', id: 'a', at: 20, attempt: 1 });
    expect(stopped).toMatchObject({ interruptedAttempts: 0, stoppedAttempts: 1 });
    expect(wasStopped(stopped)).toBe(true);
    // Twice, then failed past the budget: the count stays with the failed task.
    const failed = fold(
      stored('a', 1),
      started,
      { kind: 'interrupted', id: 'a', at: 20, attempt: 1 },
      { kind: 'ready', id: 'a', at: 20 },
      { kind: 'started', id: 'a', at: 30, attempt: 2 },
      { kind: 'interrupted', id: 'a', at: 40, attempt: 2 },
      { kind: 'failed', id: 'a', at: 40, error: boom },
    );
    expect(failed).toMatchObject({ status: 'failed', attempt: 2, interruptedAttempts: 2 });
  });

  it('ignores an interrupted transition of another attempt, or of a task not running', () => {
    const started = { kind: 'started', id: 'a', at: 10, attempt: 2 } as const;
    expect(fold(stored('a', 1), started, { kind: 'interrupted', id: 'a', at: 20, attempt: 1 })).toMatchObject({ status: 'running', interruptedAttempts: 0 });
    expect(fold(stored('a', 1), { kind: 'interrupted', id: 'a', at: 20, attempt: 0 })).toMatchObject({ status: 'pending', interruptedAttempts: 0 });
  });

  // BUG: 'ready' after a backoff sets pendingReason 'queued' but keeps retryAt, which
  // StoredTaskState documents as set only "while in backoff". It stays stale until the task starts
  // (e.g. maxWorkers 1, another task running when the backoff ends).
  it('clears retryAt when a task in backoff becomes ready again', () => {
    const state = fold(
      stored('a', 1),
      { kind: 'started', id: 'a', at: 0, attempt: 1 },
      { kind: 'retrying', id: 'a', at: 0, attempt: 1, retryAt: 10, error: boom },
      { kind: 'ready', id: 'a', at: 10 },
    );
    expect(state).toMatchObject({ status: 'pending', pendingReason: 'queued', retryAt: undefined });
  });

  it('ends a task failed or cancelled with its error or reason, and no pending reason', () => {
    expect(fold(stored('a', 1), { kind: 'failed', id: 'a', at: 7, error: boom })).toMatchObject({ status: 'failed', error: boom, pendingReason: undefined, completedAt: 7 });
    expect(fold(stored('b', 2, ['a']), { kind: 'cancelled', id: 'b', at: 8, reason: 'no' })).toMatchObject({ status: 'cancelled', cancelReason: 'no', pendingReason: undefined, completedAt: 8 });
  });

  it('makes a task waiting on dependencies ready, and changes priority without changing status', () => {
    const state = fold(stored('b', 2, ['a']), { kind: 'ready', id: 'b', at: 30 }, { kind: 'priority', id: 'b', at: 31, priority: 5 });
    expect(state).toMatchObject({ status: 'pending', pendingReason: 'queued', readyAt: 30, priority: 5 });
  });
});

describe('memoryTaskStore', () => {
  it('loads tasks in submission order, not insertion order', () => {
    const store = memoryTaskStore();
    store.addTasks([stored('c', 3), stored('a', 1)]);
    store.addTasks([stored('b', 2)]);
    expect(ids(store)).toEqual(['a', 'b', 'c']);
  });

  it('refuses a batch with an id already stored, storing none of the batch', () => {
    const store = memoryTaskStore();
    store.addTasks([stored('a', 1)]);
    expect(() => store.addTasks([stored('b', 2), stored('a', 3)])).toThrow(/"a" is already stored/);
    expect(ids(store)).toEqual(['a']);
    expect(store.load()[0]?.task.seq).toBe(1);
  });

  // BUG: the duplicate check looks only at ids already stored, so a batch that repeats an id
  // is accepted and the second copy silently replaces the first.
  it('refuses a batch that repeats an id within itself', () => {
    const store = memoryTaskStore();
    expect(() => store.addTasks([stored('a', 1), stored('a', 2)])).toThrow();
    expect(ids(store)).toEqual([]);
  });

  it('forgets the ids it is given and keeps the rest; ignores transitions of unknown ids', () => {
    const store = memoryTaskStore();
    store.addTasks([stored('a', 1), stored('b', 2), stored('c', 3)]);
    store.forget(['b', 'nope']);
    expect(ids(store)).toEqual(['a', 'c']);
    store.record({ kind: 'started', id: 'b', at: 1, attempt: 1 });
    expect(ids(store)).toEqual(['a', 'c']);
  });

  it('hands out copies: changing a loaded state does not change the store', () => {
    const store = memoryTaskStore();
    store.addTasks([stored('a', 1)]);
    (store.load()[0] as { status: string }).status = 'failed';
    expect(store.load()[0]?.status).toBe('pending');
  });

  describe('behind a scheduler', () => {
    it('agrees with the live scheduler through a retry, a failure cascade and a cancel', async () => {
      const clock = new SimulatedClock();
      const store = memoryTaskStore();
      const scheduler = createScheduler({ store, clock, maxWorkers: 4, defaultRetry: { attempts: 1 } });
      const work: Record<string, ManualWork> = {};
      const spec = (id: string, dependencies: string[] = [], extra: object = {}) => ((work[id] = manualWork()), { id, run: work[id].run, dependencies, ...extra });
      const failedAt = new Map<string, number>();
      const check = () => expectAgreement(store, scheduler, (id) => (failedAt.has(id) ? (failedAt.get(id) as number) + 100 : undefined));
      const advance = async (ms: number) => {
        clock.increment(ms);
        await settle();
      };

      scheduler.scheduleTasks([
        spec('flaky', [], { retry: { attempts: 2, backoffMs: 100 } }),
        spec('afterFlaky', ['flaky']),
        spec('bad'),
        spec('child', ['bad']),
        spec('grandchild', ['child']),
        spec('slow'),
        spec('afterSlow', ['slow']),
      ]);
      expect(ids(store)).toEqual(['flaky', 'afterFlaky', 'bad', 'child', 'grandchild', 'slow', 'afterSlow']);
      await settle();
      check();
      expect(store.load().find((s) => s.task.id === 'flaky')?.status).toBe('running');

      await advance(10);
      work.flaky!.reject(new Error('flaky once'));
      failedAt.set('flaky', clock.now());
      work.bad!.reject(new Error('bad for good'));
      await settle();
      check();
      expect(scheduler.getTask('flaky').pendingReason).toBe('backoff');
      expect(scheduler.getTaskStatus('grandchild')).toBe('failed'); // the cascade reached the end

      await advance(50); // still in backoff
      expect(scheduler.cancelTask('slow', 'not needed')).toBe(true);
      await settle();
      check();
      expect(scheduler.getTaskStatus('afterSlow')).toBe('cancelled');

      await advance(50); // backoff over: attempt 2 starts
      check();
      expect(scheduler.getTask('flaky')).toMatchObject({ status: 'running', attempts: 2 });

      work.flaky!.resolve({ ok: 1 }, 2);
      await settle();
      check();
      work.afterFlaky!.resolve('done');
      await settle();
      check();
      expect(store.load().map((s) => [s.task.id, s.status])).toEqual([
        ['flaky', 'completed'],
        ['afterFlaky', 'completed'],
        ['bad', 'failed'],
        ['child', 'failed'],
        ['grandchild', 'failed'],
        ['slow', 'cancelled'],
        ['afterSlow', 'cancelled'],
      ]);
      await scheduler.stop({ graceMs: 0 });
    });

    it('forgets the finished tasks the scheduler drops past maxFinishedRecords', async () => {
      const store = memoryTaskStore();
      const scheduler = createScheduler({ store, clock: new SimulatedClock(), maxFinishedRecords: 1 });
      scheduler.scheduleTasks([{ id: 'a', run: () => 1 }, { id: 'b', run: () => 2 }, { id: 'c', run: manualWork().run }]);
      await settle();
      expect(ids(store)).toEqual(['b', 'c']);
      expect(scheduler.hasTask('a')).toBe(false);
      await scheduler.stop({ graceMs: 0 });
    });

    it('agrees with the live scheduler after any sequence of outcomes, cancels and clock moves (property)', async () => {
      const action = fc.oneof(
        fc.record({ kind: fc.constant('resolve' as const), pick: fc.nat() }),
        fc.record({ kind: fc.constant('reject' as const), pick: fc.nat() }),
        fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
        fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 60 }) }),
      );
      const taskArb = fc.record({ deps: fc.array(fc.nat(), { maxLength: 2 }), attempts: fc.integer({ min: 1, max: 3 }) });
      await fc.assert(
        fc.asyncProperty(fc.array(taskArb, { minLength: 1, maxLength: 6 }), fc.array(action, { maxLength: 25 }), fc.integer({ min: 1, max: 3 }), async (tasks, actions, maxWorkers) => {
          const clock = new SimulatedClock();
          const store = memoryTaskStore();
          const scheduler = createScheduler({ store, clock, maxWorkers });
          const works = tasks.map(() => manualWork());
          const taskIds = tasks.map((_, i) => `t${i}`);
          const retryAt = new Map<string, number>();
          scheduler.events.on('task:retrying', ({ task, attempt }) => retryAt.set(task.id, clock.now() + 10 * 2 ** (attempt - 1)));
          scheduler.scheduleTasks(
            tasks.map((t, i) => ({
              id: taskIds[i] as string,
              run: works[i]!.run,
              // dependencies only on earlier tasks: a DAG
              dependencies: i === 0 ? [] : [...new Set(t.deps.map((d) => taskIds[d % i] as string))],
              retry: { attempts: t.attempts, backoffMs: 10, backoffFactor: 2 },
            })),
          );
          await settle();
          try {
            expectAgreement(store, scheduler, (id) => retryAt.get(id));
            for (const a of actions) {
              if (a.kind === 'advance') clock.increment(a.ms);
              else if (a.kind === 'cancel') scheduler.cancelTask(taskIds[a.pick % taskIds.length] as string);
              else {
                const running = taskIds.filter((id) => scheduler.getTaskStatus(id) === 'running');
                const id = running[a.pick % Math.max(1, running.length)];
                if (id !== undefined) {
                  const w = works[taskIds.indexOf(id)] as ManualWork;
                  if (a.kind === 'resolve') w.resolve(`result of ${id}`);
                  else w.reject(new Error(`${id} failed`));
                }
              }
              await settle();
              expectAgreement(store, scheduler, (id) => retryAt.get(id));
            }
            expect(ids(store)).toEqual(taskIds);
          } finally {
            await scheduler.stop({ graceMs: 0 });
          }
        }),
        { numRuns: 40 },
      );
    });
  });
});
