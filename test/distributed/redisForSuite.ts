import { afterAll, beforeAll } from 'vitest';
import { startRedis, type TestRedis } from './startRedis.js';
import type { WorkerProcess } from './startWorkers.js';

/**
 * Starts a Redis of the suite's own before its tests, and after them kills the worker processes
 * it started (as `workers()` lists them then) and stops the Redis.
 */
export function redisForSuite(started: (redis: TestRedis) => void, workers: () => readonly WorkerProcess[]): void {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    started(redis);
  });
  afterAll(async () => {
    await Promise.all(workers().map((worker) => worker.kill()));
    await redis?.stop();
  });
}
