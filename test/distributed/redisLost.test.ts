import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startCoordinator } from './coordinator.js';
import { SKIP_REASON, startRedis, type TestRedis } from './startRedis.js';

describe.skipIf(SKIP_REASON !== undefined)('a coordinator whose Redis goes away', () => {
  /** The Redis started again on the same port, stopped after the test. */
  const started: TestRedis[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((redis) => redis.stop()));
  });

  it('says so once, says when it is back, and lets a waiting attempt end by its timeout instead of hanging', async () => {
    const redis = await startRedis();
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
    await expect(coordinator.scheduler.waitForTask('job')).resolves.toMatchObject({ status: 'failed', error: { name: 'TaskTimeoutError' } });
    await coordinator.close();
  }, 30_000);
});
