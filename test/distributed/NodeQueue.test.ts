import { describe, expect, it } from 'vitest';
import { Worker } from 'bullmq';
import { connectRedis } from '../../src/distributed/connectRedis.js';
import { NodeQueue } from '../../src/distributed/NodeQueue.js';
import { redisForSuite } from './redisForSuite.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';

describe.skipIf(requireTool('redis-server') !== undefined)('NodeQueue', () => {
  let redis: TestRedis;
  redisForSuite((started) => (redis = started), () => undefined);

  it('trimFinished keeps the newest finished jobs up to the count, all the excess in one call, and drops those past the age a batch at a time, completed and failed alike', async () => {
    const shared = await connectRedis(redis.url);
    const node = await NodeQueue.open('a', redis.url, shared, 'trim', 60_000);
    const workerRedis = await connectRedis(redis.url);
    const worker = new Worker('a', async (job) => {
      if (job.name === 'bad') throw new Error('no');
      return job.name;
    }, { connection: workerRedis, prefix: 'trim' });
    try {
      // One at a time, so their finishing order (and finishedOn) follows the ids.
      for (let i = 1; i <= 5; i++) {
        const job = await node.queue.add(i === 5 ? 'bad' : 'ok', {}, { jobId: `j${i}`, priority: 1 });
        while ((await job.getState()) !== (i === 5 ? 'failed' : 'completed')) await new Promise((resolve) => setTimeout(resolve, 5));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      // The whole excess over the count goes in one trim, a batch per clean, oldest first: a
      // node that finishes more than a batch between checks does not fall behind.
      await node.trimFinished({ ageMs: 3_600_000, count: 2, batch: 1 });
      expect((await node.queue.getCompleted()).map((job) => job.id).sort()).toEqual(['j3', 'j4']);
      expect((await node.queue.getFailed()).map((job) => job.id)).toEqual(['j5']);
      expect(await node.queue.getJob('j1')).toBeUndefined();

      // Nothing past the age: no clean is asked for, so no `cleaned` event is written.
      const events = async (): Promise<number> => (await shared.xrange(node.eventsKey, '-', '+')).filter(([, fields]) => fields[1] === 'cleaned').length;
      const cleanedBefore = await events();
      await node.trimFinished({ ageMs: 3_600_000, count: 100, batch: 100 });
      expect(await events()).toBe(cleanedBefore);
      // Past the age, a batch per call.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await node.trimFinished({ ageMs: 10, count: 100, batch: 1 });
      expect(await node.queue.getJobCountByTypes('completed', 'failed')).toBe(1);
      await node.trimFinished({ ageMs: 10, count: 100, batch: 100 });
      expect(await node.queue.getJobCountByTypes('completed', 'failed')).toBe(0);
    } finally {
      await worker.close();
      await node.close();
      workerRedis.disconnect();
      shared.disconnect();
    }
  });
});
