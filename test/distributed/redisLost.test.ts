import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startCoordinator } from './coordinator.js';
import { startRedis, type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';
import { startWorkers, type WorkerProcess } from './startWorkers.js';

describe.skipIf(requireTool('redis-server') !== undefined)('a coordinator whose Redis goes away', () => {
  /** The Redis started again on the same port, stopped after the test. */
  const started: TestRedis[] = [];
  const workers: WorkerProcess[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
    await Promise.all(started.splice(0).map((redis) => redis.stop()));
  });

  it('says so once, says when it is back, and the attempt that waited meanwhile runs when a worker takes it', async () => {
    const redis = await startRedis();
    const scheduledAt = Date.now();
    const coordinator = await startCoordinator(redis.url, { nodes: ['a'], prefix: 'lost' });
    const warnings: string[] = [];
    coordinator.executor.onWarning((message) => warnings.push(message));
    // No worker: the job waits in Redis, as one would while Redis is down.
    coordinator.scheduler.scheduleTask({ id: 'job', type: 'sleep', config: { ms: 10 }, timeoutMs: 1500 });
    await redis.stop();
    await eventually(() => warnings.some((message) => message.startsWith('lost the connection to Redis at redis://127.0.0.1:')));
    const port = Number(new URL(redis.url).port);
    started.push(await startRedis(port));
    await eventually(() => warnings.includes(`reconnected to Redis at redis://127.0.0.1:${port}`));
    expect(warnings.filter((message) => message.startsWith('lost the connection'))).toHaveLength(1);
    // Waiting for a worker (Redis down, then no worker) is not the attempt's time: no timeout.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, scheduledAt + 2000 - Date.now())));
    expect(coordinator.scheduler.getTask('job')).toMatchObject({ status: 'pending', pendingReason: 'dispatched' });
    expect(coordinator.scheduler.explainTask('job').summary).toContain('waits for a worker: no worker is connected for any node (a)');
    workers.push(...(await startWorkers(started[0]?.url as string, [{ node: 'a', prefix: 'lost' }])));
    await expect(coordinator.scheduler.waitForTask('job')).resolves.toMatchObject({ status: 'completed', attempts: 1 });
    await coordinator.close();
  }, 30_000);
});
