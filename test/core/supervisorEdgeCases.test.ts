// The supervisor at its edges: dropped records, re-entrant calls, reservations, and parts (queues, executors, listeners) that misbehave.
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { inlineExecutor } from '../../src/executors/inlineExecutor.js';
import { heapQueue } from '../../src/policies/heapQueue.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import type { QueuedTask, ReadyQueue, SchedulingPolicy } from '../../src/types.js';
import { catchUncaught } from '../support/catchUncaught.js';
import { settle } from '../support/harness.js';

const FINAL = ['completed', 'failed', 'cancelled'];
const never = ({ signal }: { signal: AbortSignal }): Promise<void> => new Promise((resolve) => signal.addEventListener('abort', () => resolve()));

/** A scheduler that has dropped the record of task "a" (maxFinishedRecords 8). */
async function afterDroppingA(options: Parameters<typeof createScheduler>[0] = {}) {
  const s = createScheduler({ maxWorkers: 4, maxFinishedRecords: 8, defaultRetry: { attempts: 1 }, ...options });
  s.scheduleTask({ id: 'a', run: async () => 'old' });
  await s.onIdle();
  for (let i = 0; i < 8; i++) s.scheduleTask({ id: `f${i}`, run: async () => i });
  await s.onIdle();
  expect(s.hasTask('a')).toBe(false);
  return s;
}

describe('admission of an id whose record was dropped', () => {
  it('treats it as new everywhere: its dependent waits for it', async () => {
    const s = await afterDroppingA();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    s.scheduleTasks([
      { id: 'a', run: async () => { order.push('a start'); await gate; order.push('a end'); } },
      { id: 'b', dependencies: ['a'], run: async () => void order.push('b start') },
    ]);
    await settle();
    expect(s.getTaskStatus('b')).toBe('pending');
    s.scheduleTask({ id: 'c', dependencies: ['a'], run: async () => void order.push('c start') });
    release();
    await s.onIdle();
    expect(order.slice(0, 2)).toEqual(['a start', 'a end']);
    await s.stop();
  });

  it('is accepted by the store too, and the task runs', async () => {
    const s = await afterDroppingA({ store: memoryTaskStore() });
    const id = s.scheduleTask({ id: 'a', run: async () => 'new' });
    expect(await s.waitForTask(id)).toMatchObject({ status: 'completed', result: 'new' });
    await s.stop();
  });
});

describe('the store', () => {
  it('knows a task whose dependencies were done when it came is ready, as the scheduler does', async () => {
    const store = memoryTaskStore();
    const s = createScheduler({ store, autoStart: false });
    s.scheduleTask({ id: 'a', run: async () => 1 });
    s.executeTask('a');
    await s.waitForTask('a');
    s.scheduleTask({ id: 'b', dependencies: ['a'], run: async () => 2 });
    const stored = store.load().find((state) => state.task.id === 'b');
    expect(stored).toMatchObject({ status: 'pending', pendingReason: 'queued', readyAt: s.getTask('b').readyAt });
    await s.stop();
  });
});

describe('scheduleTask called again from a listener', () => {
  it('still starts no work before the outer call returns', async () => {
    const s = createScheduler({ maxWorkers: 1 });
    s.scheduleTask({ id: 'blocker', run: never });
    await settle();
    let inside = false;
    const ranInside: string[] = [];
    s.events.on('task:scheduled', ({ task }) => {
      if (task.id !== 'x') return;
      s.scheduleTask({ id: 'y', run: async () => {} });
      s.cancelTask('blocker');
    });
    inside = true;
    s.scheduleTask({ id: 'x', run: async () => void (inside && ranInside.push('x')) });
    inside = false;
    expect(ranInside).toEqual([]);
    await s.onIdle();
    expect(s.getTaskStatus('x')).toBe('completed');
    await s.stop();
  });
});

describe('event payloads', () => {
  it('describe the state being entered: running on task:started, backoff on task:retrying', async () => {
    const s = createScheduler({ defaultRetry: { attempts: 2, backoffMs: 1 } });
    const seen: string[] = [];
    s.events.on('task:started', ({ task }) => seen.push(`started ${task.status} ${task.pendingReason}`));
    s.events.on('task:retrying', ({ task }) => seen.push(`retrying ${task.status} ${task.pendingReason}`));
    let n = 0;
    s.scheduleTask({ run: async () => { if (++n === 1) throw new Error('first'); } });
    await s.onIdle();
    expect(seen).toEqual(['started running undefined', 'retrying pending backoff', 'started running undefined']);
    await s.stop();
  });
});

describe('reservations', () => {
  async function blockedBig(s: ReturnType<typeof createScheduler>): Promise<void> {
    s.scheduleTask({ id: 'small', resources: { cpu: 1 }, run: never });
    await settle();
    s.scheduleTask({ id: 'big', priority: 'high', resources: { cpu: 4 }, run: async () => {} });
    await settle();
    expect(s.getStats().resources['cpu']).toMatchObject({ reserved: 3 });
  }

  it('are gone from the stats once stopped', async () => {
    const s = createScheduler({ maxWorkers: 4, resources: { cpu: 4 } });
    await blockedBig(s);
    await s.stop();
    expect(s.getStats().resources['cpu']).toMatchObject({ used: 0, reserved: 0 });
  });

  it('are gone from the stats while paused', async () => {
    const s = createScheduler({ maxWorkers: 4, resources: { cpu: 4 } });
    await blockedBig(s);
    s.pause();
    await settle();
    expect(s.getStats().resources['cpu']).toMatchObject({ reserved: 0 });
    await s.stop();
  });
});

/** Six ready tasks over a heap queue with one method altered. */
async function runWithQueue(alter: (inner: ReadyQueue) => Partial<ReadyQueue>): Promise<{ statuses: string[]; errors: string[] }> {
  const policy: SchedulingPolicy = {
    name: 'altered',
    createQueue: () => {
      const inner = heapQueue((a, b) => a.seq - b.seq);
      const changes = alter(inner);
      return {
        get size() {
          return inner.size;
        },
        push: (t) => inner.push(t),
        remove: (id) => inner.remove(id),
        update: (t) => inner.update(t),
        peek: () => inner.peek(),
        pop: () => inner.pop(),
        ordered: (limit) => inner.ordered(limit),
        ...changes,
      };
    },
  };
  const s = createScheduler({ policy, maxWorkers: 2, defaultRetry: { attempts: 1 } });
  const errors: string[] = [];
  s.events.on('error', ({ error }) => errors.push(error.message));
  s.scheduleTasks(Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, run: async () => i })));
  await s.onIdle();
  const statuses = s.listTasks().map((task) => task.status);
  await s.stop();
  return { statuses, errors };
}

describe('a queue that answers wrongly without throwing', () => {
  it('does not hang when remove does nothing: a fresh queue takes over', async () => {
    const { statuses, errors } = await runWithQueue(() => ({ remove: () => false }));
    expect(statuses).toEqual(Array(6).fill('completed'));
    expect(errors[0]).toMatch(/peek\(\) returned task "p\d", which is not queued/);
  });

  it('ends every task when peek never answers, instead of hanging', async () => {
    const { statuses, errors } = await runWithQueue(() => ({ peek: () => undefined }));
    expect(statuses.every((status) => FINAL.includes(status))).toBe(true);
    expect(errors[0]).toMatch(/peek\(\) returned nothing while 6 task\(s\) are queued/);
  });

  it('ends every task when peek hands back a task it was never given', async () => {
    const ghost: QueuedTask = { id: 'ghost', priority: 5, seq: -1, readyAt: 0, estimateMs: undefined, group: 'x', resources: {} };
    const { statuses } = await runWithQueue(() => ({ peek: () => ghost }));
    expect(statuses.every((status) => FINAL.includes(status))).toBe(true);
  });

  it('fails no task for one throw from peek: a fresh queue gets another chance', async () => {
    let calls = 0;
    const { statuses, errors } = await runWithQueue((inner) => ({
      peek: () => {
        if (++calls === 3) throw new Error('peek boom');
        return inner.peek();
      },
    }));
    expect(statuses).toEqual(Array(6).fill('completed'));
    expect(errors).toEqual([expect.stringMatching(/peek boom/)]);
  });
});

describe('an executor whose abort throws', () => {
  it('still ends a cancelled task cancelled, and reports the executor', async () => {
    const inline = inlineExecutor();
    const executor = {
      ...inline,
      get inFlight() {
        return inline.inFlight;
      },
      start: inline.start,
      onSettled: inline.onSettled,
      abort: () => {
        throw new Error('abort exploded');
      },
    };
    const s = createScheduler({ executor });
    const errors: string[] = [];
    s.events.on('error', ({ error }) => errors.push(error.message));
    const id = s.scheduleTask({ run: () => new Promise(() => {}) });
    await settle();
    expect(s.cancelTask(id, 'user')).toBe(true);
    expect(await s.waitForTask(id)).toMatchObject({ status: 'cancelled' });
    expect(errors[0]).toMatch(/failed to abort task .*abort exploded/);
    await s.stop({ graceMs: 0 });
  });
});

describe('an error listener that throws', () => {
  it('does not leave the scheduler stuck: later tasks complete and their waiters hear it', async () => {
    const s = createScheduler();
    s.events.on('task:completed', ({ task }) => {
      if (task.id === 'a') throw new Error('listener broke');
    });
    s.events.on('error', () => {
      throw new Error('error listener broke too');
    });
    await catchUncaught(async (uncaught) => {
      s.scheduleTask({ id: 'a', run: () => 1 });
      await expect(s.waitForTask('a')).resolves.toMatchObject({ status: 'completed' });
      s.scheduleTask({ id: 'b', run: () => 2 });
      await expect(s.waitForTask('b')).resolves.toMatchObject({ status: 'completed', result: 2 });
      await settle();
      expect(uncaught.map((error) => error.message)).toEqual(['error listener broke too']);
    });
    await s.stop();
  });
});
