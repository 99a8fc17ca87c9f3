// What a hostile review found about task:placed listeners that end tasks; each test failed before its fix.
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { bullmqExecutor, createWorker, remoteHandlers } from '../../src/distributed/index.js';
import { eventually } from './coordinator.js';
import { redisForSuite } from './redisForSuite.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(requireTool('redis-server') !== undefined)('bullmqExecutor and task:placed listeners that end tasks', () => {
  let redis: TestRedis;
  redisForSuite((started) => (redis = started), () => undefined);

  /** A coordinator on node "a", served by one in-process worker of one slot that records what it ran. */
  async function setUp(prefix: string) {
    const ran: string[] = [];
    const worker = await createWorker({
      connection: redis.url,
      prefix,
      node: 'a',
      concurrency: 1,
      handlers: {
        work: async ({ task, config }) => {
          ran.push(task.id);
          await sleep((config as { ms?: number }).ms ?? 20);
          return task.id;
        },
      },
    });
    const executor = bullmqExecutor({ connection: redis.url, prefix, nodes: ['a'], checkIntervalMs: 200, loadBalancing: 'least_loaded', prefetch: 2 });
    await executor.ready();
    await eventually(() => (executor.nodes()[0]?.workers ?? 0) === 1);
    const scheduler = createScheduler({ executor, handlers: remoteHandlers(['work']), defaultRetry: { attempts: 1 }, maxWorkers: 4 });
    const close = async (): Promise<void> => {
      await scheduler.stop({ graceMs: 200 });
      await executor.close();
      await worker.close(200);
    };
    return { ran, executor, scheduler, close };
  }

  it('does not place a task of the same pass that a listener cancelled: its job never runs and its node is not left looking full', async () => {
    const { ran, executor, scheduler, close } = await setUp('placed-sibling');
    try {
      scheduler.events.on('task:placed', ({ task }) => {
        if (task.id === 'x1') scheduler.cancelTask('x2', 'cancelled by a placed listener');
      });
      scheduler.scheduleTasks([{ id: 'x1', type: 'work' }, { id: 'x2', type: 'work' }]);
      await scheduler.onIdle();
      await sleep(300);
      expect([scheduler.getTaskStatus('x1'), scheduler.getTaskStatus('x2')]).toEqual(['completed', 'cancelled']);
      expect(ran).toEqual(['x1']);
      expect(executor.nodes()[0]).toMatchObject({ placed: 0, running: 0 });
      scheduler.scheduleTask({ id: 'later', type: 'work' });
      await expect(scheduler.waitForTask('later')).resolves.toMatchObject({ status: 'completed' });
    } finally {
      await close();
    }
  });

  it('removes the job of a task cancelled as soon as it is placed, whose add had not reached Redis yet: it does not run later', async () => {
    const { ran, scheduler, close } = await setUp('placed-self');
    try {
      scheduler.scheduleTask({ id: 'blocker', type: 'work', config: { ms: 300 } });
      await eventually(() => ran.includes('blocker'));
      scheduler.events.on('task:placed', ({ task }) => {
        if (task.id === 'victim') scheduler.cancelTask('victim', 'changed my mind');
      });
      scheduler.scheduleTask({ id: 'victim', type: 'work' });
      await scheduler.onIdle();
      // The blocker has finished and the slot is free: a job left in the queue would run now.
      await sleep(500);
      expect(scheduler.getTaskStatus('victim')).toBe('cancelled');
      expect(ran).toEqual(['blocker']);
    } finally {
      await close();
    }
  });
});
