import { describe, expect, it } from 'vitest';
import { requireTool } from '../support/requireTool.js';
import { startCoordinator } from './coordinator.js';
import { redisForSuite } from './redisForSuite.js';
import { type TestRedis } from './startRedis.js';
import { startWorkers, type WorkerProcess } from './startWorkers.js';

describe.skipIf(requireTool('redis-server') !== undefined)('dynamic work in a distributed run', () => {
  let redis: TestRedis;
  const workers: WorkerProcess[] = [];
  redisForSuite((started) => (redis = started), () => Promise.all(workers.map((worker) => worker.kill())));

  it('schedules on the coordinator the children a remote task spawned, and completes the parent after them', async () => {
    const prefix = 'spawn';
    workers.push(...(await startWorkers(redis.url, [{ node: 'a', prefix, concurrency: 2 }])));
    const { scheduler, close } = await startCoordinator(redis.url, { nodes: ['a'], prefix }, { maxWorkers: 2 });
    try {
      scheduler.scheduleTask({ id: 'split', type: 'split', config: { parts: 3 } });
      scheduler.scheduleTask({ id: 'qed', type: 'echo', dependencies: ['split'], config: { done: true } });
      await scheduler.onIdle();
      expect(scheduler.getTask('split')).toMatchObject({ status: 'completed', result: 3, children: ['split.0', 'split.1', 'split.2'] });
      for (let i = 0; i < 3; i++) expect(scheduler.getTask(`split.${i}`)).toMatchObject({ status: 'completed', parent: 'split', node: 'a', result: { part: i } });
      const qed = scheduler.getTask('qed');
      expect(qed.status).toBe('completed');
      expect(qed.startedAt).toBeGreaterThanOrEqual(Math.max(...[0, 1, 2].map((i) => scheduler.getTask(`split.${i}`).completedAt as number)));
    } finally {
      await close();
    }
  });

  it('fails a remote task at once, its retries unused, when the coordinator refuses the children it spawned', async () => {
    const prefix = 'spawn-refused';
    workers.push(...(await startWorkers(redis.url, [{ node: 'a', prefix, concurrency: 2 }])));
    const { scheduler, close } = await startCoordinator(redis.url, { nodes: ['a'], prefix }, { maxWorkers: 2, maxChildren: 2 });
    try {
      scheduler.scheduleTask({ id: 'split', type: 'split', config: { parts: 3 }, retry: { attempts: 3, backoffMs: 0 } });
      await scheduler.onIdle();
      expect(scheduler.getTask('split')).toMatchObject({ status: 'failed', attempts: 1, children: [] });
      expect(scheduler.getTask('split').error?.message).toBe('task "split" cannot spawn 3 children: it has 0 and maxChildren is 2');
      expect(scheduler.hasTask('split.0')).toBe(false);
    } finally {
      await close();
    }
  });
});
