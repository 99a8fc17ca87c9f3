import { describe, expect, it } from 'vitest';
import { eventually, readLog, startCoordinator } from './coordinator.js';
import { redisForSuite } from './redisForSuite.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';
import { startWorkers, type WorkerProcess } from './startWorkers.js';

describe.skipIf(requireTool('redis-server') !== undefined)('speculate on the distributed executor', () => {
  let redis: TestRedis;
  const workers: WorkerProcess[] = [];
  redisForSuite((started) => (redis = started), () => Promise.all(workers.map((worker) => worker.kill())));

  it('sends the backup of a straggler as a job of its own to a free node; the backup wins and the straggling job is aborted', async () => {
    const prefix = 'speculate';
    // Round robin puts the attempt on "slow" (every sleep 20 times longer) and its backup on "fast".
    workers.push(...(await startWorkers(redis.url, [{ node: 'slow', prefix, concurrency: 1, slowFactor: 20 }, { node: 'fast', prefix, concurrency: 1 }])));
    const { scheduler, close } = await startCoordinator(redis.url, { nodes: ['slow', 'fast'], prefix, loadBalancing: 'round_robin' }, { maxWorkers: 2, speculate: 2 });
    try {
      scheduler.scheduleTask({ id: 'a', type: 'sleep', config: { ms: 200 }, idempotent: true, estimateMs: 200 });
      const record = await scheduler.waitForTask('a');
      expect(record).toMatchObject({ status: 'completed', result: 'a on fast', attempts: 1, node: 'slow', backup: { id: 'a~backup', attempt: 1, outcome: 'won', node: 'fast' } });
      await eventually(async () => (await readLog(redis.url, prefix)).some((entry) => entry.event === 'aborted'));
      const log = await readLog(redis.url, prefix);
      const events = log.map((entry) => `${entry.node} ${entry.event}`);
      expect([...events].sort()).toEqual(['fast end', 'fast start', 'slow aborted', 'slow start']);
      expect(events.indexOf('slow aborted')).toBeGreaterThan(events.indexOf('fast end'));
      expect(scheduler.getStats()).toMatchObject({ running: 0, dispatched: 0, backups: 0, completed: 1 });
    } finally {
      await close();
    }
  });
});
