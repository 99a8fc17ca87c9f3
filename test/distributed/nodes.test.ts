import { describe, expect, it } from 'vitest';
import { eventually, startCoordinator } from './coordinator.js';
import { redisForSuite } from './redisForSuite.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';
import { startWorkers, type WorkerProcess } from './startWorkers.js';

describe.skipIf(requireTool('redis-server') !== undefined)('bullmqExecutor.nodes() (what the dashboard shows)', () => {
  let redis: TestRedis;
  let workers: WorkerProcess[] = [];
  redisForSuite((started) => (redis = started), () => Promise.all(workers.map((worker) => worker.kill())));

  it('reports each node up or down with its workers, slots, placed and running jobs and resources, and where each attempt went', async () => {
    const prefix = 'nodes';
    workers = await startWorkers(redis.url, [
      { node: 'a', prefix, concurrency: 2, resources: { cpu: 4 } },
      { node: 'a', prefix, concurrency: 1, resources: { cpu: 2 } },
    ]);
    const { scheduler, executor, close } = await startCoordinator(redis.url, { nodes: ['a', { name: 'b', resources: { gpu: 1 } }], prefix, loadBalancing: 'least_loaded' }, { maxWorkers: 2 });
    const placed: string[] = [];
    scheduler.events.on('task:placed', ({ task, attempt, node }) => placed.push(`${task.id}#${attempt}@${node}`));
    try {
      await eventually(() => executor.nodes()[0]?.workers === 2);
      expect(executor.nodes()).toEqual([
        { name: 'a', isUp: true, workers: 2, concurrency: 3, placed: 0, running: 0, resources: { cpu: 6 }, used: {} },
        { name: 'b', isUp: false, workers: 0, concurrency: 0, placed: 0, running: 0, resources: { gpu: 1 }, used: {} },
      ]);
      scheduler.scheduleTask({ id: 'slow', type: 'sleep', config: { ms: 800 }, resources: { cpu: 1 } });
      await eventually(() => executor.nodes()[0]?.running === 1);
      expect(executor.nodes()[0]).toMatchObject({ placed: 1, running: 1, used: { cpu: 1 } });
      await scheduler.onIdle();
      expect(executor.nodes()[0]).toMatchObject({ placed: 0, running: 0, used: { cpu: 0 } });
      expect(scheduler.getTask('slow').node).toBe('a');
      expect(placed).toEqual(['slow#1@a']);
    } finally {
      await close();
    }
  }, 20_000);
});
