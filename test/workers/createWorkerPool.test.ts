import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createWorkerPool } from '../../src/workers/createWorkerPool.js';
import { taskContext } from './taskContext.js';
import type { MeasuredUsage } from '../../src/usageTypes.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/workers/${name}`, import.meta.url));

describe('createWorkerPool', () => {
  const pool = createWorkerPool({ maxThreads: 2 });
  afterAll(() => pool.destroy());

  it('starts workers in a process run with V8 flags such as --expose-gc (npm run bench does)', () => {
    const pool = fileURLToPath(new URL('../../src/workers/createWorkerPool.ts', import.meta.url));
    const script = `const { createWorkerPool } = await import(${JSON.stringify(pool)});
      const p = createWorkerPool({ maxThreads: 1 });
      const r = await p.task(${JSON.stringify(fixture('cpu.mjs'))})({ task: { id: 't', name: 't', type: 't' }, config: { n: 10 }, attempt: 1, signal: new AbortController().signal });
      await p.destroy();
      console.log(r);`;
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(out.trim()).toBe('45');
  });

  it('runs a CPU-bound export in a worker thread and resolves with its return value', async () => {
    const sum = pool.task(fixture('cpu.mjs'));
    await expect(sum(taskContext({ n: 1_000_000 }))).resolves.toBe(499_999_500_000);
    expect(pool.threads).toBeGreaterThanOrEqual(1);
  });

  it('reports what the thread used: its heap with the Buffers it held, and its event loop\'s active time', async () => {
    const reported: MeasuredUsage[] = [];
    // A pool of its own: the shared one's counts are another test's.
    const own = createWorkerPool({ maxThreads: 1 });
    const hold = own.task(fixture('cpu.mjs'), 'holdAndSum');
    await Promise.resolve(hold({ ...taskContext({ mib: 64, n: 30_000_000 }), reportUsage: (usage) => reported.push(usage) })).finally(() => own.destroy());
    expect(reported).toHaveLength(1);
    expect(reported[0]!.measuredBy).toBe('thread');
    expect(reported[0]!.peakRssBytes! / 2 ** 20).toBeGreaterThanOrEqual(64);
    // Summing 30 million numbers keeps the thread busy; the 120 ms sleep does not count.
    expect(reported[0]!.cpuMs).toBeGreaterThan(5);
  });

  it('hands the export config, attempt and the task identity, nothing else', async () => {
    const echo = pool.task(fixture('cpu.mjs'), 'echo');
    await expect(echo(taskContext({ depth: 3 }, { id: 'prove', attempt: 2 }))).resolves.toEqual({
      config: { depth: 3 },
      attempt: 2,
      task: { id: 'prove', name: 'prove name', type: 'test' },
    });
  });

  it('rejects with the worker error keeping its name, message, code and stack', async () => {
    const fail = pool.task(fixture('fails.mjs'));
    const error = await Promise.resolve(fail(taskContext({}))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ProofError', message: 'lemma 4 does not hold', code: 'E_PROOF' });
    expect((error as Error).stack).toMatch(/failingProof .*fails\.mjs/);
  });

  it('stops a task that never returns when its signal aborts, and keeps serving', async () => {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const controller = new AbortController();
    const timeout = new Error('timed out');
    const spinning = pool.task(fixture('spin.mjs'))(taskContext({ counter }, { signal: controller.signal }));
    setTimeout(() => controller.abort(timeout), 100);
    await expect(spinning).rejects.toBe(timeout);

    const countAfterAbort = Atomics.load(counter, 0);
    expect(countAfterAbort).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Atomics.load(counter, 0)).toBe(countAfterAbort);
    await expect(pool.task(fixture('cpu.mjs'))(taskContext({ n: 10 }))).resolves.toBe(45);
    expect(pool.stats().aborted).toBe(1);
  });

  it('rejects at once with the reason when the signal is already aborted', async () => {
    const reason = new Error('cancelled before start');
    const ctx = taskContext({ n: 10 }, { signal: AbortSignal.abort(reason) });
    await expect(pool.task(fixture('cpu.mjs'))(ctx)).rejects.toBe(reason);
  });

  it('loads TypeScript task modules', async () => {
    const shout = pool.task(fixture('typed.ts'), 'shout');
    await expect(shout(taskContext({ words: ['qed', 'done'] }, { id: 't7' }))).resolves.toBe('t7: QED DONE');
  });

  it('rejects with a TypeError naming the export when it is not a function', async () => {
    await expect(pool.task(fixture('cpu.mjs'), 'missing')(taskContext({}))).rejects.toThrow(
      /export "missing" of file:.*cpu\.mjs: expected a function, found no such export/,
    );
  });

  it('rejects with an Error saying why when the result cannot be cloned or the thread exits', async () => {
    await expect(pool.task(fixture('cpu.mjs'), 'uncloneable')(taskContext({}))).rejects.toThrow(
      /export "uncloneable" of .*cpu\.mjs: the worker thread failed without an Error .*structured-cloned/,
    );
    await expect(pool.task(fixture('cpu.mjs'), 'exitThread')(taskContext({}))).rejects.toThrow(/worker exited with code: 3/);
    await expect(pool.task(fixture('cpu.mjs'))(taskContext({ n: 3 }))).resolves.toBe(3);
  });

  it('counts outcomes and reports thread time for a dashboard', () => {
    const stats = pool.stats();
    expect(stats).toMatchObject({ maxThreads: 2, queued: 0, running: 0, aborted: 1 });
    expect(stats.succeeded).toBe(5);
    expect(stats.failed).toBe(4);
    expect(stats.runTimeMs.max).toBeGreaterThan(0);
  });

  it('lets running tasks finish on close and refuses tasks after it', async () => {
    const closing = createWorkerPool({ maxThreads: 1 });
    const sum = closing.task(fixture('cpu.mjs'));
    const queued = expect(sum(taskContext({ n: 1_000 }))).resolves.toBe(499_500);
    await closing.close();
    await queued;
    expect(closing.threads).toBe(0);
    await expect(sum(taskContext({ n: 1 }))).rejects.toThrow(/worker pool is closed; cannot run export "default" of .*cpu\.mjs/);
  });

  it('throws on a thread count below one, naming the option', () => {
    expect(() => createWorkerPool({ maxThreads: 0 })).toThrow(/options\.maxThreads: expected an integer >= 1, found 0/);
  });
});
