import { afterAll, beforeAll } from 'vitest';
import { startRedis, type TestRedis } from './startRedis.js';

/**
 * Starts a Redis of the suite's own before its tests, and after them ends the worker processes
 * the suite started (`stopWorkers`) and stops the Redis.
 */
export function redisForSuite(started: (redis: TestRedis) => void, stopWorkers: () => unknown): void {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    started(redis);
  });
  afterAll(async () => {
    await stopWorkers();
    await redis?.stop();
  });
}
