// A hostile review published junk on the cancel channel and every worker process exited; this failed before the fix.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { bullmqExecutor, createWorker, remoteHandlers } from '../../src/distributed/index.js';
import { parseCancelMessage } from '../../src/distributed/parseCancelMessage.js';
import { redisKeys } from '../../src/distributed/redisKeys.js';
import { eventually } from './coordinator.js';
import { redisForSuite } from './redisForSuite.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';

describe('parseCancelMessage', () => {
  it('reads what a coordinator publishes and nothing else', () => {
    const reason = { name: 'TaskCancelledError', message: 'stop', stack: 'at x', code: 'E' };
    expect(parseCancelMessage(JSON.stringify({ jobId: 'r.t.1', reason }))).toEqual({ jobId: 'r.t.1', reason });
    for (const junk of ['not json', 'null', '42', '{}', '{"jobId":1,"reason":{}}', '{"jobId":"x"}', '{"jobId":"x","reason":{"name":1,"message":"m"}}']) {
      expect(parseCancelMessage(junk), junk).toBeUndefined();
    }
  });
});

describe.skipIf(requireTool('redis-server') !== undefined)('a worker and its cancel channel', () => {
  let redis: TestRedis;
  redisForSuite((started) => (redis = started), () => undefined);

  it('ignores a message that is not a cancel, with one warning, and goes on running jobs', async () => {
    const prefix = 'junk';
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.message);
    process.on('warning', onWarning);
    const worker = await createWorker({ connection: redis.url, prefix, node: 'a', handlers: { work: () => 'done' } });
    const executor = bullmqExecutor({ connection: redis.url, prefix, nodes: ['a'], checkIntervalMs: 200 });
    const publisher = new Redis(redis.url);
    try {
      await executor.ready();
      await eventually(() => (executor.nodes()[0]?.workers ?? 0) === 1);
      await publisher.publish(redisKeys(prefix).cancel, 'not json');
      await publisher.publish(redisKeys(prefix).cancel, '{"jobId":"x"}');
      const scheduler = createScheduler({ executor, handlers: remoteHandlers(['work']), defaultRetry: { attempts: 1 } });
      scheduler.scheduleTask({ id: 'after', type: 'work' });
      await expect(scheduler.waitForTask('after')).resolves.toMatchObject({ status: 'completed', result: 'done' });
      expect(warnings.filter((warning) => warning.includes('ignored a message on the cancel channel'))).toHaveLength(1);
      await scheduler.stop();
    } finally {
      process.off('warning', onWarning);
      publisher.disconnect();
      await executor.close();
      await worker.close(200);
    }
  });
});
