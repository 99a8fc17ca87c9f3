import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createWorkerPool } from '../../src/workers/createWorkerPool.js';
import { ModuleFailedError } from '../../src/workers/ModuleFailedError.js';
import { moduleTask } from '../../src/workers/moduleTask.js';
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

  it.each([false, true])('keeps what the export prints with captureOutput (worker: %s) and resolves with it beside the value', async (worker) => {
    const run = moduleTask(fixture('chatty.mjs'), 'writes', { pool, worker, captureOutput: true });
    const ctx = taskContext({}, { id: 'report' });
    await expect(run(ctx)).resolves.toEqual({
      value: 'report name'.length,
      stdout: 'out from report name\nbytes from report name\n',
      stderr: 'err from report name\n',
      truncated: false,
    });
  });

  it.each([false, true])('fails with a ModuleFailedError carrying the output and the thrown error with captureOutput (worker: %s)', async (worker) => {
    const run = moduleTask(fixture('chatty.mjs'), 'chattyFailure', { pool, worker, captureOutput: true });
    const error = await Promise.resolve(run(taskContext({}, { id: 'lemma' }))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModuleFailedError);
    expect(error).toMatchObject({ message: 'lemma name went out of range', stdout: 'about to fail in lemma name\n', stderr: '' });
    expect((error as Error).cause).toMatchObject({ name: 'RangeError', message: 'lemma name went out of range' });
  });

  it('keeps the output of inline runs at the same time apart', async () => {
    const run = moduleTask(fixture('chatty.mjs'), 'writes', { captureOutput: true });
    const names = ['a', 'b', 'c', 'd'];
    const results = await Promise.all(names.map((id) => run(taskContext({}, { id }))));
    expect(results.map((result) => (result as { stdout: string }).stdout)).toEqual(names.map((id) => `out from ${id} name\nbytes from ${id} name\n`));
  });

  it('counts what the export prints while its signal aborts as its own', async () => {
    const controller = new AbortController();
    const run = moduleTask(fixture('chatty.mjs'), 'chattyOnAbort', { captureOutput: true });
    const outcome = Promise.resolve(run(taskContext({}, { id: 'slow', signal: controller.signal })));
    controller.abort(new Error('timed out'));
    await expect(outcome).resolves.toMatchObject({ value: 'stopped', stdout: 'aborting slow name\n' });
  });

  it('throws at once when worker is true without a pool, naming the option', () => {
    expect(() => moduleTask(fixture('cpu.mjs'), 'default', { worker: true })).toThrow(
      /options\.pool: expected a WorkerPool when options\.worker is true, found undefined/,
    );
  });
});
