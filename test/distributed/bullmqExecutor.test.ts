import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttemptInterruptedError } from '../../src/errors.js';
import { bullmqExecutor, remoteTask, WorkerLostError } from '../../src/distributed/index.js';
import type { Attempt, AttemptOutcome } from '../../src/core/Executor.js';
import type { TaskSpec } from '../../src/types.js';
import { eventually, peakUse, readLog, startCoordinator } from './coordinator.js';
import { redisForSuite } from './redisForSuite.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';
import { startWorkers, type WorkerProcess } from './startWorkers.js';

describe.skipIf(requireTool('redis-server') !== undefined)('bullmqExecutor', () => {
  let redis: TestRedis;
  let workers: WorkerProcess[] = [];
  redisForSuite((started) => (redis = started), () => Promise.all(workers.map((worker) => worker.kill())));

  it('runs a DAG on three workers of two nodes: results, failures with name and stack, dependency order and resource limits held, round_robin even', async () => {
    const prefix = 'dag';
    workers = await startWorkers(redis.url, [
      { node: 'a', prefix, concurrency: 2 },
      { node: 'a', prefix, concurrency: 2 },
      { node: 'b', prefix, concurrency: 2 },
    ]);
    const { scheduler, close } = await startCoordinator(redis.url, { nodes: ['a', 'b'], prefix }, { maxWorkers: 4, resources: { cpu: 3 } });
    try {
      const specs: TaskSpec<any>[] = [];
      for (let i = 0; i < 12; i++) specs.push({ id: `t${i}`, type: 'sleep', config: { ms: 30 }, resources: { cpu: 1 + (i % 2) }, dependencies: i >= 4 ? [`t${i - 4}`] : [] });
      specs.push({ id: 'echo', type: 'echo', config: { answer: 42 } }, { id: 'boom', type: 'fail' }, { id: 'after-boom', type: 'echo', dependencies: ['boom'] });
      scheduler.scheduleTasks(specs);
      await scheduler.onIdle();

      expect(scheduler.getTask('echo')).toMatchObject({ status: 'completed', result: { answer: 42 } });
      expect(scheduler.getTask('echo').node).toMatch(/^[ab]$/);
      const boom = scheduler.getTask('boom');
      expect(boom.status).toBe('failed');
      expect(boom.error).toMatchObject({ name: 'TypeError', message: 'boom from the worker' });
      expect(boom.error?.stack).toContain('workerProcess.ts');
      expect(scheduler.getTask('after-boom').status).toBe('failed');

      const log = await readLog(redis.url, prefix);
      for (let i = 0; i < 12; i++) {
        expect(scheduler.getTask(`t${i}`).status).toBe('completed');
        expect(log.filter((e) => e.task === `t${i}` && e.event === 'end')).toHaveLength(1);
        if (i >= 4) {
          const start = log.find((e) => e.task === `t${i}` && e.event === 'start')?.at as number;
          const upstreamEnd = log.find((e) => e.task === `t${i - 4}` && e.event === 'end')?.at as number;
          expect(start).toBeGreaterThanOrEqual(upstreamEnd);
        }
      }
      expect(peakUse(log, 'cpu')).toBeLessThanOrEqual(3);
      // round_robin: the 15 attempts alternate between the two nodes.
      const byNode = scheduler.listTasks().filter((task) => task.id !== 'after-boom').map((task) => task.node);
      const onA = byNode.filter((node) => node === 'a').length;
      expect(Math.abs(onA - (byNode.length - onA))).toBeLessThanOrEqual(1);
    } finally {
      await close();
    }
  });

  it('counts a worker killed mid-task as an interrupted attempt and runs the task again on a live worker', async () => {
    const prefix = 'kill';
    const [doomed, ...rest] = await startWorkers(redis.url, [
      { node: 'a', prefix, lockDurationMs: 600 },
      { node: 'b', prefix, lockDurationMs: 600 },
    ]);
    workers.push(doomed as WorkerProcess, ...rest);
    const { scheduler, close } = await startCoordinator(redis.url, { nodes: ['a', 'b'], prefix, loadBalancing: 'round_robin' }, { defaultRetry: { attempts: 3, backoffMs: 10 } });
    const retries: Error[] = [];
    scheduler.events.on('task:retrying', ({ error }) => retries.push(error));
    try {
      scheduler.scheduleTasks([{ id: 'long', type: 'sleep', config: { ms: 1500 } }]);
      await eventually(async () => (await readLog(redis.url, prefix)).some((e) => e.event === 'start'));
      const first = (await readLog(redis.url, prefix)).find((e) => e.event === 'start');
      const killed = [doomed, ...rest].find((worker) => worker?.child.pid === first?.pid) as WorkerProcess;
      const killedAt = Date.now();
      await killed.kill();
      const record = await scheduler.waitForTask('long');
      expect(record.status).toBe('completed');
      expect(record.attempts).toBe(2);
      expect(record.node).not.toBe(killed.node);
      expect(retries).toHaveLength(1);
      expect(retries[0]).toBeInstanceOf(WorkerLostError);
      expect(retries[0]).toMatchObject({ code: 'ATTEMPT_INTERRUPTED' });
      // Bounded: lock 600 ms + two checks of 200 ms + the retry, plus the second run of 1.5 s.
      expect(Date.now() - killedAt).toBeLessThan(6000);
    } finally {
      await close();
    }
  });

  it('carries cancellation and timeouts to remote work: the handler signal aborts, the command process group is killed', async () => {
    const prefix = 'abort';
    workers.push(...(await startWorkers(redis.url, [{ node: 'a', prefix, concurrency: 2 }])));
    const { scheduler, close } = await startCoordinator(redis.url, { nodes: ['a'], prefix });
    const pidFile = join(mkdtempSync(join(tmpdir(), 'xeno-dist-')), 'pid');
    try {
      scheduler.scheduleTasks([
        { id: 'waits', type: 'sleep', config: { ms: 30_000 } },
        { id: 'shell', run: remoteTask({ kind: 'command', command: `sleep 30 & echo $! > ${pidFile}; wait` }), timeoutMs: 1500 },
      ]);
      await eventually(async () => (await readLog(redis.url, prefix)).some((e) => e.task === 'waits' && e.event === 'start'));
      scheduler.cancelTask('waits', 'no longer needed');
      await eventually(async () => (await readLog(redis.url, prefix)).some((e) => e.task === 'waits' && e.event === 'aborted'));
      expect((await readLog(redis.url, prefix)).find((e) => e.event === 'aborted')?.reason).toBe('TaskCancelledError');
      const shell = await scheduler.waitForTask('shell');
      expect(shell).toMatchObject({ status: 'failed', error: { name: 'TaskTimeoutError' } });
      const pid = Number(readFileSync(pidFile, 'utf8'));
      await eventually(() => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      });
      await scheduler.onIdle();
      expect(scheduler.getTask('waits').status).toBe('cancelled');
    } finally {
      await close();
    }
  });

  it('dispatches nothing to any node while paused', async () => {
    const prefix = 'pause';
    workers.push(...(await startWorkers(redis.url, [{ node: 'a', prefix }, { node: 'b', prefix }])));
    const { scheduler, close } = await startCoordinator(redis.url, { nodes: ['a', 'b'], prefix });
    try {
      scheduler.pause();
      scheduler.scheduleTasks(Array.from({ length: 4 }, (_, i) => ({ id: `p${i}`, type: 'echo' })));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(scheduler.listTasks().map((task) => task.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
      expect(await readLog(redis.url, prefix)).toEqual([]);
      scheduler.resume();
      await scheduler.onIdle();
      expect(scheduler.listTasks().every((task) => task.status === 'completed')).toBe(true);
    } finally {
      await close();
    }
  });

  it('adopts an attempt a previous coordinator with the same runId left running, and reports its outcome once', async () => {
    const prefix = 'adopt';
    workers.push(...(await startWorkers(redis.url, [{ node: 'a', prefix }])));
    const options = { connection: redis.url, nodes: ['a'], prefix, runId: 'run1', checkIntervalMs: 200 };
    const attempt = (taskId: string): Attempt => ({
      taskId,
      attempt: 1,
      type: 'sleep',
      config: { ms: 600 },
      run: () => undefined,
      placed: () => undefined,
      active: () => undefined,
      spawn: () => [],
      record: () => ({ id: taskId, name: taskId, type: 'sleep', priority: 3, resources: {}, attempts: 1 }) as never,
    });
    const first = bullmqExecutor(options);
    await first.ready();
    first.start(attempt('survivor'), () => undefined);
    await eventually(async () => (await readLog(redis.url, prefix)).some((e) => e.event === 'start'));
    await first.close(); // the coordinator is gone; its job runs on

    const second = bullmqExecutor(options);
    const outcomes: [string, AttemptOutcome][] = [];
    second.adopt?.(attempt('survivor'), (taskId, _attempt, outcome) => outcomes.push([taskId, outcome]));
    second.adopt?.(attempt('never-placed'), (taskId, _attempt, outcome) => outcomes.push([taskId, outcome]));
    await second.ready();
    await second.onSettled();
    await second.close();
    expect(outcomes).toHaveLength(2);
    expect(outcomes.find(([id]) => id === 'survivor')?.[1]).toEqual({ ok: true, result: 'survivor on a' });
    expect(outcomes.find(([id]) => id === 'never-placed')?.[1]).toMatchObject({ ok: false, error: expect.any(AttemptInterruptedError) });
    expect((await readLog(redis.url, prefix)).filter((e) => e.event === 'start')).toHaveLength(1);
  });
});
