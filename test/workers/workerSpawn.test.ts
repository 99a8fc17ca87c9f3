import { afterAll, describe, expect, it, vi } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createScheduler } from '../../src/core/createScheduler.js';
import { createWorkerPool } from '../../src/workers/createWorkerPool.js';
import { moduleTask } from '../../src/workers/moduleTask.js';
import type { TaskContext } from '../../src/types.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/workers/${name}`, import.meta.url));

describe('ctx.spawn from a worker thread (createWorkerPool)', () => {
  const pool = createWorkerPool({ maxThreads: 2 });
  afterAll(() => pool.destroy());

  it('schedules the children a module spawns as the task\'s children, which run, and returns their ids to the module', async () => {
    const ran: string[] = [];
    const leaf = (ctx: TaskContext) => {
      ran.push(ctx.task.id);
      return (ctx.config as { i: number }).i * 10;
    };
    const s = createScheduler({ maxWorkers: 2, handlers: { leaf } });
    s.scheduleTask({ id: 'split', config: { n: 3 }, run: moduleTask(fixture('spawns.mjs'), 'default', { pool }) });
    s.scheduleTask({ id: 'after', dependencies: ['split'], run: () => 'after' });
    await s.onIdle();
    expect(s.getTask('split')).toMatchObject({ status: 'completed', result: { ids: ['split/0', 'split/1', 'split/2'] }, children: ['split/0', 'split/1', 'split/2'] });
    expect(ran.sort()).toEqual(['split/0', 'split/1', 'split/2']);
    for (const [i, id] of ['split/0', 'split/1', 'split/2'].entries()) expect(s.getTask(id)).toMatchObject({ status: 'completed', parent: 'split', result: i * 10 });
    expect(s.getTaskStatus('after')).toBe('completed');
    await s.stop();
  });

  it('hands a refused spawn\'s TaskSchedulingError to the module with its field and message, and schedules nothing of it', async () => {
    const s = createScheduler({ maxWorkers: 1, maxChildren: 2, handlers: { leaf: () => 'leaf' } });
    s.scheduleTask({ id: 'existing', type: 'leaf' });
    const tries = [
      [{ id: 'existing', type: 'leaf' }],
      [{ id: 'a', type: 'leaf' }, { id: 'b', type: 'leaf' }, { id: 'c', type: 'leaf' }],
      [{ id: 'loop', type: 'leaf', dependencies: ['p'] }],
      [{ id: 'fine', type: 'leaf' }],
    ];
    s.scheduleTask({ id: 'p', config: { tries }, run: moduleTask(fixture('spawns.mjs'), 'refused', { pool }) });
    await s.onIdle();
    const answers = s.getTask('p').result as { name?: string; field?: string; message?: string; ids?: string[] }[];
    expect(answers[0]).toEqual({ name: 'TaskSchedulingError', field: 'spawn[0].id', message: 'spawn[0].id: "existing" is already used by another task' });
    expect(answers[1]).toEqual({ name: 'TaskSchedulingError', field: 'spawn', message: 'task "p" cannot spawn 3 children: it has 0 and maxChildren is 2' });
    expect(answers[2]).toMatchObject({ name: 'TaskSchedulingError', field: 'spawn[0].dependencies[0]' });
    expect(answers[3]).toEqual({ ids: ['fine'] });
    for (const id of ['a', 'b', 'c', 'loop']) expect(s.hasTask(id)).toBe(false);
    expect(s.getTask('p')).toMatchObject({ status: 'completed', children: ['fine'] });
    await s.stop();
  });

  it('fails the task at once, with retries left, when a refused spawn escapes the module', async () => {
    const s = createScheduler({ maxWorkers: 1, maxChildren: 1, handlers: { leaf: () => 'leaf' } });
    const specs = [{ id: 'a', type: 'leaf' }, { id: 'b', type: 'leaf' }];
    s.scheduleTask({ id: 'p', config: { specs }, retry: { attempts: 3, backoffMs: 0 }, run: moduleTask(fixture('spawns.mjs'), 'uncaught', { pool }) });
    const record = await s.waitForTask('p');
    expect(record).toMatchObject({ status: 'failed', attempts: 1 });
    expect(record.error).toMatchObject({ name: 'TaskSchedulingError', message: 'task "p" cannot spawn 2 children: it has 0 and maxChildren is 1' });
    await s.stop();
  });

  it('refuses a spec holding a function in the worker, naming the field, before anything reaches the scheduler', async () => {
    const s = createScheduler({ maxWorkers: 1, handlers: { leaf: () => 'leaf' } });
    s.scheduleTask({ id: 'p', run: moduleTask(fixture('spawns.mjs'), 'withFunction', { pool }) });
    await s.onIdle();
    expect(s.getTask('p').result).toMatchObject({ name: 'TaskSchedulingError', field: 'spawn[0].run' });
    expect((s.getTask('p').result as { message: string }).message).toMatch(/^spawn\[0\]\.run: expected data, found a function/);
    expect(s.hasTask('fn')).toBe(false);
    await s.stop();
  });

  it('keeps a parent whose module returned waiting, holding no worker, until its children completed', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const s = createScheduler({ maxWorkers: 1, handlers: { leaf: () => gate.then(() => 'leaf') } });
    s.scheduleTask({ id: 'split', config: { n: 2 }, run: moduleTask(fixture('spawns.mjs'), 'default', { pool }) });
    await vi.waitFor(() => expect(s.getTask('split')).toMatchObject({ status: 'pending', pendingReason: 'children' }), { timeout: 10_000 });
    // One worker, and a child holds it: the parent whose work returned holds none.
    expect(s.getTask('split/0').status).toBe('running');
    release();
    await s.onIdle();
    expect(s.getTask('split').status).toBe('completed');
    expect(s.getTask('split/1').status).toBe('completed');
    await s.stop();
  });
});
