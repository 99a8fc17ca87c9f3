import { describe, expect, it } from 'vitest';
import type { WorkerAnnouncement } from '../../src/distributed/AttemptJob.js';
import { chooseNode } from '../../src/distributed/chooseNode.js';
import { createWorker } from '../../src/distributed/index.js';
import { NodeBoard } from '../../src/distributed/NodeBoard.js';
import { InvalidOptionsError } from '../../src/errors.js';
import { redisForSuite } from './redisForSuite.js';
import { SKIP_REASON, type TestRedis } from './startRedis.js';
import { startWorkers, type WorkerProcess } from './startWorkers.js';

const announced = (id: string, node: string, types: string[]): WorkerAnnouncement => ({ id, node, concurrency: 1, resources: {}, types, runsDescriptors: false, host: 'h', pid: 1 });

describe('the workers of a node run the same task types', () => {
  it('places a type on a node only when every live worker of it has the handler, and reports a node whose workers differ', () => {
    const board = new NodeBoard([{ name: 'a' }, { name: 'b' }]);
    const { mixed } = board.setWorkers([announced('w1', 'a', ['sleep', 'echo']), announced('w2', 'a', ['echo']), announced('w3', 'b', ['sleep'])]);
    expect(mixed).toEqual(['a']);
    const sleep = { type: 'sleep', hasDescriptor: false, resources: {} };
    for (let cursor = 0; cursor < 2; cursor++) expect(chooseNode('round_robin', board.views(), sleep, cursor, 2)).toMatchObject({ node: 'b' });
    board.setWorkers([announced('w1', 'a', ['sleep', 'echo']), announced('w2', 'a', ['echo'])]);
    expect(chooseNode('least_loaded', board.views(), sleep, 0, 2)).toMatchObject({ node: undefined, unplaceable: true });
  });
});

describe.skipIf(SKIP_REASON !== undefined)('createWorker on a node with live workers', () => {
  let redis: TestRedis;
  const workers: WorkerProcess[] = [];
  redisForSuite((started) => (redis = started), () => Promise.all(workers.map((worker) => worker.kill())));

  it('refuses a worker whose handlers differ from a live worker of its node, naming both, and accepts one with the same', async () => {
    const prefix = 'handlers';
    const [peer] = await startWorkers(redis.url, [{ node: 'a', prefix }]);
    workers.push(peer as WorkerProcess);
    const fewer = createWorker({ connection: redis.url, node: 'a', prefix, handlers: { echo: () => 1 } });
    await expect(fewer).rejects.toThrow(InvalidOptionsError);
    await expect(createWorker({ connection: redis.url, node: 'a', prefix, handlers: { echo: () => 1 } })).rejects.toThrow(
      /^options\.handlers: expected what node "a"'s live worker \S+ runs \(handlers echo, fail, sleep, split; commands and modules\), received handlers echo; no commands or modules: any worker of a node takes any of its jobs/,
    );
    const same = await createWorker({ connection: redis.url, node: 'a', prefix, descriptors: {}, handlers: { sleep: () => 1, echo: () => 1, fail: () => 1, split: () => 1 } });
    const elsewhere = await createWorker({ connection: redis.url, node: 'b', prefix, handlers: { echo: () => 1 } });
    await Promise.all([same.close(0), elsewhere.close(0)]);
  });
});
