import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectRedis } from '../../src/distributed/connectRedis.js';
import { NodeEventReader, type NodeEvent } from '../../src/distributed/NodeEventReader.js';
import { redisForSuite } from './redisForSuite.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';

describe.skipIf(requireTool('redis-server') !== undefined)('NodeEventReader', () => {
  let redis: TestRedis;
  redisForSuite((started) => (redis = started), () => undefined);

  it('reads the job events of every node from where each stream stood, in one batch per read, and skips the kinds the coordinator does not act on', async () => {
    const writer = new Redis(redis.url);
    try {
      const old = await writer.xadd('r:a:events', '*', 'event', 'completed', 'jobId', 'before', 'returnvalue', '1');
      const streams = new Map([
        ['a', { key: 'r:a:events', lastId: old as string }],
        ['b', { key: 'r:b:events', lastId: '0' }],
      ]);
      // Everything is in the streams before the first read: it must come back as one batch.
      await writer
        .multi()
        .xadd('r:a:events', '*', 'event', 'added', 'jobId', 'j1', 'name', 'x')
        .xadd('r:a:events', '*', 'event', 'active', 'jobId', 'j1', 'prev', 'waiting')
        .xadd('r:a:events', '*', 'event', 'completed', 'jobId', 'j1', 'returnvalue', '{"ok":true}', 'prev', 'active')
        .xadd('r:b:events', '*', 'event', 'drained')
        .xadd('r:b:events', '*', 'event', 'failed', 'jobId', 'j2', 'failedReason', 'job stalled more than allowable limit', 'prev', 'active')
        .xadd('r:b:events', '*', 'event', 'stalled', 'jobId', 'j3')
        .xadd('r:b:events', '*', 'event', 'duplicated', 'jobId', 'j4')
        .exec();
      const batches: (readonly NodeEvent[])[] = [];
      let firstRead: () => void = () => undefined;
      const first = new Promise<void>((resolve) => (firstRead = resolve));
      const onEvents = (events: readonly NodeEvent[]): void => {
        batches.push(events);
        firstRead();
      };
      const reader = new NodeEventReader({ redis: await connectRedis(redis.url), streams, blockMs: 1000, onEvents });
      reader.start();
      await first;
      await reader.close();
      expect(batches).toEqual([
        [
          { kind: 'active', node: 'a', jobId: 'j1' },
          { kind: 'completed', node: 'a', jobId: 'j1', returnvalue: '{"ok":true}' },
          { kind: 'failed', node: 'b', jobId: 'j2', failedReason: 'job stalled more than allowable limit' },
          { kind: 'stalled', node: 'b', jobId: 'j3' },
          { kind: 'duplicated', node: 'b', jobId: 'j4' },
        ],
      ]);
    } finally {
      writer.disconnect();
    }
  });
});
