import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createWorkerPool } from '../../src/executors/createWorkerPool.js';
import { moduleTask } from '../../src/executors/moduleTask.js';
import { taskContext } from './taskContext.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/workers/${name}`, import.meta.url));

describe('moduleTask', () => {
  const pool = createWorkerPool({ maxThreads: 1 });
  afterAll(() => pool.destroy());

  it('calls the export inline with the whole task context, signal included', async () => {
    const ctx = taskContext({ n: 4 });
    await expect(moduleTask(fixture('cpu.mjs'), 'echo')(ctx)).resolves.toBe(ctx);
  });

  it('uses the default export when no name is given', async () => {
    await expect(moduleTask(fixture('cpu.mjs'))(taskContext({ n: 4 }))).resolves.toBe(6);
  });

  it('runs the export in a pool thread when given a pool', async () => {
    const before = pool.stats().succeeded;
    await expect(moduleTask(fixture('cpu.mjs'), 'default', { pool })(taskContext({ n: 5 }))).resolves.toBe(10);
    expect(pool.stats().succeeded).toBe(before + 1);
  });

  it('runs inline when worker is false even with a pool', async () => {
    const before = pool.stats().succeeded;
    await moduleTask(fixture('cpu.mjs'), 'default', { pool, worker: false })(taskContext({ n: 5 }));
    expect(pool.stats().succeeded).toBe(before);
  });

  it('rejects with the reason when the signal is already aborted', async () => {
    const reason = new Error('cancelled');
    await expect(moduleTask(fixture('cpu.mjs'))(taskContext({ n: 4 }, { signal: AbortSignal.abort(reason) }))).rejects.toBe(reason);
  });

  it('throws at once when worker is true without a pool, naming the option', () => {
    expect(() => moduleTask(fixture('cpu.mjs'), 'default', { worker: true })).toThrow(
      /options\.pool: expected a WorkerPool when options\.worker is true, found undefined/,
    );
  });
});
