import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();

/** A SQLite store that counts the commits that wrote something. */
function countingStore(file: string): { store: ReturnType<typeof sqliteStore>; commits: () => number } {
  const store = sqliteStore(file);
  const commit = store.commit.bind(store);
  let commits = 0;
  Object.assign(store, {
    commit: () => {
      if (store.uncommitted > 0) commits++;
      commit();
    },
  });
  return { store, commits: () => commits };
}

describe('group commit', () => {
  it('commits the outcomes reported in one turn of the event loop, and the starts they free, in one transaction', async () => {
    const { store, commits } = countingStore(temp.path('run.db'));
    const scheduler = createScheduler({ store, maxWorkers: 4, handlers: { noop: async () => undefined } });
    scheduler.scheduleTasks(Array.from({ length: 40 }, (_, i) => ({ id: `t${i}`, type: 'noop' })));
    await scheduler.onIdle();
    await scheduler.stop();
    store.close();
    // Four no-op tasks run at once and end in the same turn: about one commit per four tasks
    // (the first starts, then one per turn), where one per task made 40.
    expect(commits()).toBeLessThanOrEqual(40 / 4 + 2);
    expect(scheduler.getStats().completed).toBe(40);
  });

  it('starts no work before the transaction holding its start is committed', async () => {
    const store = sqliteStore(temp.path('run.db'));
    const uncommittedAtStart: number[] = [];
    const scheduler = createScheduler({
      store,
      maxWorkers: 4,
      handlers: {
        noop: async () => {
          uncommittedAtStart.push(store.uncommitted);
        },
      },
    });
    scheduler.scheduleTasks(Array.from({ length: 40 }, (_, i) => ({ id: `t${i}`, type: 'noop', ...(i >= 4 ? { dependencies: [`t${i - 4}`] } : {}) })));
    await scheduler.onIdle();
    await scheduler.stop();
    store.close();
    expect(uncommittedAtStart).toEqual(Array.from({ length: 40 }, () => 0));
  });
});
