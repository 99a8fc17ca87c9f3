import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { TaskRunDescriptor } from '../../src/config/workloadTypes.js';
import { createWorkerPool } from '../../src/workers/createWorkerPool.js';
import { toTaskRun, type RunDescriptor } from '../../src/workers/runDescriptor.js';
import { taskContext } from './taskContext.js';

const cpuModule = fileURLToPath(new URL('../fixtures/workers/cpu.mjs', import.meta.url));

describe('toTaskRun', () => {
  const pool = createWorkerPool({ maxThreads: 1 });
  afterAll(() => pool.destroy());

  it('accepts the descriptors the workload loader produces', () => {
    expectTypeOf<TaskRunDescriptor>().toExtend<RunDescriptor>();
  });

  it('turns a command descriptor into a shell command with the given command options', async () => {
    const run = toTaskRun({ kind: 'command', command: 'printf "%s" "$XENO_CONFIG_DEPTH$SUFFIX"' }, { command: { env: { SUFFIX: '!' } } });
    await expect(run(taskContext({ depth: 3 }))).resolves.toMatchObject({ exitCode: 0, stdout: '3!' });
  });

  it('turns a module descriptor into an inline call unless worker is set', async () => {
    const before = pool.stats().succeeded;
    const run = toTaskRun({ kind: 'module', module: cpuModule, export: 'default', worker: false }, { pool });
    await expect(run(taskContext({ n: 4 }))).resolves.toBe(6);
    expect(pool.stats().succeeded).toBe(before);
  });

  it('runs a module descriptor with worker set in the pool', async () => {
    const before = pool.stats().succeeded;
    const run = toTaskRun({ kind: 'module', module: cpuModule, export: 'default', worker: true }, { pool });
    await expect(run(taskContext({ n: 4 }))).resolves.toBe(6);
    expect(pool.stats().succeeded).toBe(before + 1);
  });

  it('throws at once for a worker module without a pool, and for an unknown kind', () => {
    expect(() => toTaskRun({ kind: 'module', module: cpuModule, worker: true })).toThrow(/options\.pool: expected a WorkerPool/);
    expect(() => toTaskRun({ kind: 'script' } as unknown as RunDescriptor)).toThrow(
      /toTaskRun: descriptor\.kind: expected 'command' or 'module', found "script"/,
    );
  });
});
