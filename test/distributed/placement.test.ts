import { describe, expect, it } from 'vitest';
import { createWorker, RedisUnreachableError, UnknownNodeError, bullmqExecutor } from '../../src/distributed/index.js';
import { eventually, peakUse, readLog, startCoordinator } from './coordinator.js';
import { redisForSuite } from './redisForSuite.js';
import { freePort, type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';
import { startWorkers, type WorkerProcess } from './startWorkers.js';

describe.skipIf(requireTool('redis-server') !== undefined)('bullmqExecutor placement', () => {
  let redis: TestRedis;
  const workers: WorkerProcess[] = [];
  redisForSuite((started) => (redis = started), () => Promise.all(workers.map((worker) => worker.kill())));

  it('least_loaded keeps a slow node from piling up where round_robin splits evenly', async () => {
    const counts: Record<string, Record<string, number>> = {};
    for (const mode of ['round_robin', 'least_loaded'] as const) {
      const prefix = `load-${mode}`;
      workers.push(...(await startWorkers(redis.url, [{ node: 'slow', prefix, slowFactor: 10 }, { node: 'fast', prefix }])));
      const { scheduler, close } = await startCoordinator(redis.url, { nodes: ['slow', 'fast'], prefix, loadBalancing: mode, prefetch: 2 }, { maxWorkers: 6 });
      try {
        scheduler.scheduleTasks(Array.from({ length: 24 }, (_, i) => ({ id: `t${i}`, type: 'sleep', config: { ms: 20 } })));
        await scheduler.onIdle();
        const nodes = scheduler.listTasks().map((task) => task.node as string);
        counts[mode] = { slow: nodes.filter((n) => n === 'slow').length, fast: nodes.filter((n) => n === 'fast').length };
      } finally {
        await close();
      }
    }
    expect(counts['round_robin']).toEqual({ slow: 12, fast: 12 });
    // At most two jobs per slot wait on the slow node, and it frees them ten times slower.
    expect(counts['least_loaded']?.['slow']).toBeLessThan(8);
  });

  it('resource_aware places a task only on a node whose free resources fit it, and says so while none does', async () => {
    const prefix = 'fit';
    workers.push(...(await startWorkers(redis.url, [{ node: 'small', prefix, concurrency: 4 }, { node: 'big', prefix, concurrency: 4 }])));
    const { scheduler, close } = await startCoordinator(
      redis.url,
      { nodes: [{ name: 'small', resources: { gpu: 1 } }, { name: 'big', resources: { gpu: 2 } }], prefix, loadBalancing: 'resource_aware' },
      { maxWorkers: 8, resources: { gpu: 8 } },
    );
    try {
      scheduler.scheduleTasks([
        ...Array.from({ length: 6 }, (_, i) => ({ id: `g${i}`, type: 'sleep', config: { ms: 150 }, resources: { gpu: 1 } })),
        { id: 'huge', type: 'sleep', config: { ms: 10 }, resources: { gpu: 3 } },
      ]);
      await eventually(() => scheduler.getTask('huge').pendingReason === 'dispatched');
      expect(scheduler.explainTask('huge').summary).toMatch(/^attempt 1 holds a worker slot and waits for a worker: no live node has gpu 3 free/);
      await eventually(() => scheduler.listTasks().filter((t) => t.id !== 'huge').every((t) => t.status === 'completed'));
      const log = await readLog(redis.url, prefix);
      expect(peakUse(log, 'gpu', 'small')).toBeLessThanOrEqual(1);
      expect(peakUse(log, 'gpu', 'big')).toBeLessThanOrEqual(2);
      scheduler.cancelTask('huge');
      await scheduler.onIdle();
      expect(scheduler.getTask('huge').status).toBe('cancelled');
    } finally {
      await close();
    }
  });

  it('round_robin never runs more of a resource on a node than the node has', async () => {
    const prefix = 'rr-fit';
    workers.push(...(await startWorkers(redis.url, [{ node: 'small', prefix, concurrency: 4 }, { node: 'big', prefix, concurrency: 4 }])));
    const { scheduler, close } = await startCoordinator(
      redis.url,
      { nodes: [{ name: 'small', resources: { cpu: 2 } }, { name: 'big', resources: { cpu: 8 } }], prefix, loadBalancing: 'round_robin' },
      { maxWorkers: 10, resources: { cpu: 10 } },
    );
    try {
      scheduler.scheduleTasks(Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, type: 'sleep', config: { ms: 300 }, resources: { cpu: 1 } })));
      await scheduler.onIdle();
      const log = await readLog(redis.url, prefix);
      expect(log.filter((e) => e.event === 'end')).toHaveLength(10);
      expect(peakUse(log, 'cpu', 'small')).toBeLessThanOrEqual(2);
      expect(peakUse(log, 'cpu', 'small')).toBeGreaterThan(0);
    } finally {
      await close();
    }
  });

  it('moves jobs waiting on a node whose workers are all gone to a live node with failover, and lets them wait without', async () => {
    for (const failover of [true, false]) {
      const prefix = `down-${failover}`;
      const [onA, onB] = await startWorkers(redis.url, [{ node: 'a', prefix, lockDurationMs: 600 }, { node: 'b', prefix, lockDurationMs: 600 }]);
      workers.push(onA as WorkerProcess, onB as WorkerProcess);
      const { scheduler, close } = await startCoordinator(redis.url, { nodes: ['a', 'b'], prefix, failover, prefetch: 3 }, { maxWorkers: 6, defaultRetry: { attempts: 3, backoffMs: 10 } });
      try {
        scheduler.scheduleTasks(Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, type: 'sleep', config: { ms: 800 } })));
        await eventually(async () => (await readLog(redis.url, prefix)).filter((e) => e.event === 'start').length === 2);
        await (onB as WorkerProcess).kill();
        if (failover) {
          await scheduler.onIdle();
          const log = await readLog(redis.url, prefix);
          for (const task of scheduler.listTasks()) {
            expect(task.status).toBe('completed');
            expect(log.filter((e) => e.task === task.id && e.event === 'end')).toHaveLength(1);
          }
        } else {
          // Those queued on b (and an interrupted attempt placed there before b was seen down) wait for it.
          const waitsForB = (id: string): boolean => scheduler.explainTask(id).summary.includes('node "b", whose workers are all gone (failover is off');
          await eventually(() => scheduler.listTasks().every((t) => t.status === 'completed' || waitsForB(t.id)), 15_000);
          // They hold their worker slots, dispatched: none is running, as no worker took them.
          expect(scheduler.listTasks().filter((t) => t.pendingReason === 'dispatched').length).toBeGreaterThanOrEqual(2);
          expect(scheduler.listTasks().filter((t) => t.status === 'running')).toEqual([]);
          workers.push(...(await startWorkers(redis.url, [{ node: 'b', prefix, lockDurationMs: 600 }])));
          await scheduler.onIdle();
          expect(scheduler.listTasks().every((t) => t.status === 'completed')).toBe(true);
        }
      } finally {
        await close();
      }
    }
  });

  it('warns once, after warnUnplaceableAfterMs, of a task no live worker can run, and explainTask says so at once', async () => {
    const prefix = 'unplaceable';
    workers.push(...(await startWorkers(redis.url, [{ node: 'a', prefix }])));
    const { scheduler, executor, close } = await startCoordinator(redis.url, { nodes: ['a'], prefix, warnUnplaceableAfterMs: 400 });
    const warnings: string[] = [];
    executor.onWarning((message) => warnings.push(message));
    try {
      scheduler.scheduleTasks([{ id: 'orphan', type: 'nope' }, { id: 'fine', type: 'echo' }]);
      await scheduler.waitForTask('fine');
      const why = 'no live worker on any node can run task type "nope" (none has a handler for it; live nodes: a)';
      expect(scheduler.explainTask('orphan').summary).toBe(`attempt 1 holds a worker slot and waits for a worker: ${why}`);
      expect(warnings).toEqual([]);
      await eventually(() => warnings.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(warnings).toEqual([expect.stringMatching(new RegExp(`^task "orphan" \\(attempt 1\\) has waited \\d+\\.\\d s for a node: ${why.replace(/[()]/g, '\\$&')}$`))]);
    } finally {
      await close();
    }
  });

  it('refuses bad input by name: an unreachable Redis, a worker for an unknown node, a type no worker handles', async () => {
    const port = await freePort();
    const unreachable = bullmqExecutor({ connection: `redis://127.0.0.1:${port}`, nodes: ['a'] });
    await expect(unreachable.ready()).rejects.toThrow(RedisUnreachableError);
    await expect(unreachable.ready()).rejects.toThrow(`cannot reach Redis at redis://127.0.0.1:${port}`);
    await unreachable.close();
    expect(() => bullmqExecutor({ connection: redis.url, nodes: ['a'], loadBalancing: 'dice' as never })).toThrow(
      'options.loadBalancing: expected one of round_robin, least_loaded, resource_aware, received "dice"',
    );
    expect(() => bullmqExecutor({ connection: redis.url, nodes: ['a'], prefetch: 0.5 })).toThrow('options.prefetch: expected an integer > 0, received 0.5');

    const prefix = 'bad';
    workers.push(...(await startWorkers(redis.url, [{ node: 'a', prefix }])));
    const { scheduler, close } = await startCoordinator(redis.url, { nodes: ['a'], prefix });
    try {
      await expect(createWorker({ connection: redis.url, node: 'z', prefix })).rejects.toThrow(UnknownNodeError);
      await expect(createWorker({ connection: redis.url, node: 'z', prefix })).rejects.toThrow(`node "z" is not one of the coordinator's nodes (a)`);
      scheduler.scheduleTask({ id: 'orphan', type: 'nope' });
      await eventually(() => scheduler.explainTask('orphan').summary.includes('no live worker on any node can run task type "nope" (none has a handler for it; live nodes: a)'));
      expect(scheduler.getTask('orphan')).toMatchObject({ status: 'pending', pendingReason: 'dispatched' });
    } finally {
      await close();
    }
  });
});
