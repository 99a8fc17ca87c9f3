import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoordinator } from './coordinator.js';
import { startRedis, type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';

/** Calls of `command` Redis has served so far (INFO commandstats). */
async function callsOf(redis: Redis, command: string): Promise<number> {
  const info = await redis.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

describe.skipIf(requireTool('redis-server') !== undefined)("the coordinator's periodic check", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('does not start again while one is still waiting for Redis: a stalled Redis is not left with a pile of checks to answer', async () => {
    const coordinator = await startCoordinator(redis.url, { nodes: ['a'], prefix: 'overlap', checkIntervalMs: 20 });
    const admin = new Redis(redis.url);
    try {
      // Each check reads the worker announcements with one HGETALL (no task: nothing else to read).
      const before = await callsOf(admin, 'hgetall');
      // Redis answers no client for 1 s: 50 intervals go by meanwhile.
      await admin.client('PAUSE', 1000, 'ALL');
      await new Promise((resolve) => setTimeout(resolve, 1050));
      const during = (await callsOf(admin, 'hgetall')) - before;
      // The check waiting when Redis stalled, and the two or three of the last 50 ms; not 50.
      expect(during).toBeLessThanOrEqual(8);
    } finally {
      admin.disconnect();
      await coordinator.close();
    }
  }, 20_000);
});
