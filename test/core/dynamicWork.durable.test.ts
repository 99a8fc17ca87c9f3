import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import type { TaskContext } from '../../src/types.js';
import type { TaskStore } from '../../src/core/TaskStore.js';
import { settle } from '../support/harness.js';

/** A scheduler on `store` that is dropped without stop(), as a crash leaves it. */
function crashAfter(store: TaskStore, handlers: Record<string, (ctx: TaskContext) => unknown>) {
  return createScheduler({ store, handlers, defaultRetry: { attempts: 1 } });
}

describe('dynamic work with a store', () => {
  it('resumes a parent that waited for its children without running its work again', async () => {
    const store = memoryTaskStore();
    let splits = 0;
    const never = () => new Promise(() => {});
    const first = crashAfter(store, {
      split: (ctx) => {
        splits++;
        ctx.spawn([{ id: 'lemma-1', type: 'prove' }, { id: 'lemma-2', type: 'prove' }]);
        return 'split into 2';
      },
      prove: never,
    });
    first.scheduleTask({ id: 'split', type: 'split' });
    first.scheduleTask({ id: 'qed', type: 'prove', dependencies: ['split'] });
    await settle();
    expect(first.getTask('split')).toMatchObject({ status: 'pending', pendingReason: 'children' });
    // The crash: a new scheduler on the same store, the first never stopped.
    const second = createScheduler({ store, handlers: { split: () => void splits++, prove: async (ctx: TaskContext) => `proved ${ctx.task.id}` } });
    expect(second.getTask('split')).toMatchObject({ status: 'pending', pendingReason: 'children', children: ['lemma-1', 'lemma-2'] });
    expect(second.getTask('lemma-1').parent).toBe('split');
    await second.onIdle();
    expect(splits).toBe(1);
    expect(second.getTask('split')).toMatchObject({ status: 'completed', result: 'split into 2' });
    expect(second.getTaskStatus('qed')).toBe('completed');
  });

  it('spawns an interrupted parent\'s children once: its work runs again, and the same ids are not spawned twice', async () => {
    const store = memoryTaskStore();
    let spawned = 0;
    const first = crashAfter(store, {
      split: (ctx) => {
        ctx.spawn([{ id: 'lemma', type: 'prove' }]);
        spawned++;
        return new Promise(() => {}); // crashes mid-work
      },
      prove: () => new Promise(() => {}),
    });
    first.scheduleTask({ id: 'split', type: 'split' });
    await settle();
    const second = createScheduler({
      store,
      handlers: {
        split: (ctx: TaskContext) => {
          expect(ctx.spawn([{ id: 'lemma', type: 'prove' }])).toEqual(['lemma']);
          spawned++;
          return 'again';
        },
        prove: async () => 'proved',
      },
    });
    await second.onIdle();
    expect(spawned).toBe(2);
    expect(second.getTask('split')).toMatchObject({ status: 'completed', result: 'again', children: ['lemma'] });
    expect(second.listTasks().filter((task) => task.id === 'lemma')).toHaveLength(1);
  });

  it('resumes a race once: alternatives still running go on, and the first to complete wins', async () => {
    const store = memoryTaskStore();
    const first = crashAfter(store, { slow: () => new Promise(() => {}) });
    first.scheduleTask({ id: 'goal', race: [{ type: 'slow' }, { type: 'slow' }] });
    await settle();
    expect(first.getTask('goal').pendingReason).toBe('children');
    let completions = 0;
    const second = createScheduler({ store, handlers: { slow: async (ctx: TaskContext) => `by ${ctx.task.id}` } });
    second.events.on('task:completed', ({ task }) => void (task.id === 'goal' && completions++));
    await second.onIdle();
    expect(completions).toBe(1);
    const goal = second.getTask('goal');
    expect(goal.status).toBe('completed');
    expect(goal.result).toBe(`by ${goal.winner}`);
  });
});
