import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { TaskStoreError } from '../../src/errors.js';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { useSmallDisks } from '../support/smallDisk.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();
const disks = useSmallDisks();

describe('an SQLite store on a disk that fills up', () => {
  it('throws the write\'s SQLITE_FULL, never a failed rollback, and keeps every batch it took whole', () => {
    const disk = disks.mount(temp.path('disk'), '128k');
    const store = sqliteStore(join(disk.folder, 'run.db'));
    store.load();
    const padding = 'x'.repeat(2000);
    let failure: unknown;
    let added = 0;
    for (let batch = 0; batch < 200 && failure === undefined; batch++) {
      const tasks = Array.from({ length: 5 }, (_, i) => ({
        id: `b${batch}-${i}`, name: `b${batch}-${i}`, type: 'job', priority: 1 as const, seq: batch * 5 + i, dependencies: [],
        resources: {}, config: { padding }, hasOwnRun: false, timeoutMs: 0, retry: { attempts: 1, backoffMs: 0, backoffFactor: 2, maxBackoffMs: 0 },
        estimateMs: undefined, group: 'default', createdAt: 0, dependencyDeadline: undefined,
      }));
      try {
        store.addTasks(tasks);
        added += tasks.length;
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toBeInstanceOf(TaskStoreError);
    expect((failure as TaskStoreError).causeCode).toBe('SQLITE_FULL');
    expect((failure as Error).message).toContain('(SQLITE_FULL): database or disk is full');
    expect((failure as Error).message).not.toContain('rollback');
    // The failed batch left nothing behind: the file holds the batches that were taken, whole.
    expect(store.loadCommitted()).toHaveLength(added);
    expect(added).toBeGreaterThan(0);
    expect(() => store.close()).not.toThrow();
  });

  it('halts a scheduler on it: onIdle rejects with the TaskStoreError, and no task starts after it', async () => {
    const disk = disks.mount(temp.path('disk'), '160k');
    const store = sqliteStore(join(disk.folder, 'run.db'));
    const started: string[] = [];
    const scheduler = createScheduler({ store, maxWorkers: 4, handlers: { job: ({ task }) => void started.push(task.id) } });
    const errors: unknown[] = [];
    scheduler.events.on('error', ({ error }) => errors.push(error));
    const failure = await (async () => {
      try {
        scheduler.scheduleTasks(Array.from({ length: 2000 }, (_, i) => ({ id: `t${i}`, type: 'job' })));
        await scheduler.onIdle();
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(failure).toBeInstanceOf(TaskStoreError);
    expect((failure as TaskStoreError).causeCode).toBe('SQLITE_FULL');
    const startedAtFailure = started.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toHaveLength(startedAtFailure);
    expect(startedAtFailure).toBeLessThan(2000);
    await scheduler.stop();
    const held = store.loadCommitted();
    // What the store holds never claims more than ran.
    expect(held.filter((state) => state.status === 'completed').length).toBeLessThanOrEqual(startedAtFailure);
    store.close();
  });
});
