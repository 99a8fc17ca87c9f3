import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { TaskStoreError } from '../../src/errors.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import type { TaskStore } from '../../src/core/TaskStore.js';

/** What a full disk throws, as better-sqlite3 reports it. */
function diskFull(): Error {
  return Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
}

/** A memory store whose writes fail once `broken()` says so: `addTasks` or `commit`. */
function failingStore(fails: 'addTasks' | 'commit', broken: () => boolean): TaskStore {
  const store = memoryTaskStore();
  return {
    ...store,
    addTasks(tasks) {
      if (fails === 'addTasks' && broken()) throw diskFull();
      store.addTasks(tasks);
    },
    commit() {
      if (fails === 'commit' && broken()) throw diskFull();
    },
  };
}

/** Settles `promise` within a few macrotasks, or says it still hangs. */
async function outcomeOf(promise: Promise<unknown>): Promise<'resolved' | { rejected: unknown } | 'hangs'> {
  const hang = new Promise<'hangs'>((resolve) => setTimeout(() => resolve('hangs'), 50));
  return Promise.race([promise.then(() => 'resolved' as const, (error: unknown) => ({ rejected: error })), hang]);
}

describe('a store that cannot write (fail-stop)', () => {
  it('makes scheduleTask throw a TaskStoreError naming the cause, and admits nothing of the batch', async () => {
    let broken = false;
    const store = failingStore('addTasks', () => broken);
    const scheduler = createScheduler({ store });
    const errors: unknown[] = [];
    scheduler.events.on('error', ({ error }) => errors.push(error));
    scheduler.scheduleTask({ id: 'before', run: () => 'ok' });
    await scheduler.onIdle();
    broken = true;
    let thrown: unknown;
    try {
      scheduler.scheduleTasks([{ id: 'a', run: () => 1 }, { id: 'b', dependencies: ['a'], run: () => 2 }]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TaskStoreError);
    const failure = thrown as TaskStoreError;
    expect(failure.causeCode).toBe('SQLITE_FULL');
    expect(failure.message).toContain('SQLITE_FULL');
    expect((failure.cause as Error).message).toBe('database or disk is full');
    expect(scheduler.hasTask('a')).toBe(false);
    expect(scheduler.hasTask('b')).toBe(false);
    expect(scheduler.getStats().pending).toBe(0);
    // Nothing hangs: idleness is refused with the failure, as is any later task.
    expect(await outcomeOf(scheduler.onIdle())).toEqual({ rejected: failure });
    expect(() => scheduler.scheduleTask({ id: 'c', run: () => 3 })).toThrow(failure);
    expect(errors).toEqual([failure]);
    await scheduler.stop();
  });

  it('starts no work after a commit fails, and reports it to onIdle, waitForTask and the error event', async () => {
    let commits = 0;
    // The first commit (before the first start) succeeds; the next one fails.
    const store = failingStore('commit', () => ++commits > 1);
    const started: string[] = [];
    const scheduler = createScheduler({ store, maxWorkers: 1 });
    const errors: unknown[] = [];
    scheduler.events.on('error', ({ error }) => errors.push(error));
    const run = ({ task }: { task: { id: string } }) => {
      started.push(task.id);
      return task.id;
    };
    scheduler.scheduleTasks([{ id: 'a', run }, { id: 'b', run }, { id: 'c', run }]);
    const waiting = scheduler.waitForTask('c');
    const idle = outcomeOf(scheduler.onIdle());
    const outcome = await idle;
    expect(outcome).not.toBe('hangs');
    const failure = (outcome as { rejected: unknown }).rejected;
    expect(failure).toBeInstanceOf(TaskStoreError);
    expect((failure as TaskStoreError).causeCode).toBe('SQLITE_FULL');
    expect(await outcomeOf(waiting)).toEqual({ rejected: failure });
    expect(await outcomeOf(scheduler.waitForTask('a'))).toEqual({ rejected: failure });
    expect(errors).toEqual([failure]);
    // Only the attempt whose start was durable ran.
    expect(started).toEqual(['a']);
    expect(scheduler.executeTask('b')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started).toEqual(['a']);
    await scheduler.stop();
  });

  it('is reported as a process warning when only a wildcard listener (a progress view) hears it', async () => {
    const store = failingStore('addTasks', () => true);
    const scheduler = createScheduler({ store });
    const heard: string[] = [];
    scheduler.events.on('*', (type) => heard.push(type));
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      expect(() => scheduler.scheduleTask({ id: 'a', run: () => 1 })).toThrow(TaskStoreError);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(heard).toEqual(['error']);
    expect(warnings.map((warning) => warning.name)).toEqual(['TaskStoreError']);
    await scheduler.stop();
  });
});
