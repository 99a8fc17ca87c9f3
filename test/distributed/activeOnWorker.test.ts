import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../src/types.js';
import { eventually, readLog, startCoordinator } from './coordinator.js';
import { redisForSuite } from './redisForSuite.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';
import { startWorkers, type WorkerProcess } from './startWorkers.js';

describe.skipIf(requireTool('redis-server') !== undefined)('bullmqExecutor: running means active on a worker', () => {
  let redis: TestRedis;
  const workers: WorkerProcess[] = [];
  redisForSuite((started) => (redis = started), () => Promise.all(workers.map((worker) => worker.kill())));

  it('keeps a job that waits in its node queue pending (dispatched) until a worker takes it, and times only its run', async () => {
    const prefix = 'queued';
    // One worker slot, four jobs on its node: three wait in the queue behind the one that runs.
    workers.push(...(await startWorkers(redis.url, [{ node: 'a', prefix, concurrency: 1 }])));
    const { scheduler, close } = await startCoordinator(redis.url, { nodes: ['a'], prefix, prefetch: 4 }, { maxWorkers: 4, defaultTimeoutMs: 900 });
    const placedAt = new Map<string, number>();
    const started: TaskRecord[] = [];
    scheduler.events.on('task:placed', ({ task }) => placedAt.set(task.id, Date.now()));
    scheduler.events.on('task:started', ({ task }) => started.push(task));
    let peakRunning = 0;
    let sawWaiting = false;
    const sample = setInterval(() => {
      const tasks = scheduler.listTasks();
      const running = tasks.filter((t) => t.status === 'running');
      peakRunning = Math.max(peakRunning, running.length, scheduler.getStats().running);
      sawWaiting ||= tasks.filter((t) => t.pendingReason === 'dispatched').length === 3 && running.length === 1;
    }, 20);
    try {
      // Each run takes 400 ms, well inside the 900 ms timeout; the last waits about 1.2 s for the worker.
      scheduler.scheduleTasks(Array.from({ length: 4 }, (_, i) => ({ id: `q${i}`, type: 'sleep', config: { ms: 400 } })));
      await eventually(() => scheduler.listTasks().filter((t) => t.pendingReason === 'dispatched').length === 3);
      const waiting = scheduler.listTasks().find((t) => t.pendingReason === 'dispatched') as TaskRecord;
      expect(waiting).toMatchObject({ status: 'pending', node: 'a', startedAt: undefined });
      expect(scheduler.explainTask(waiting.id).summary).toBe(`attempt 1 holds a worker slot and waits for a worker: queued on node "a", waiting for one of its workers`);
      expect(scheduler.getStats()).toMatchObject({ running: 1, dispatched: 3 });
      await scheduler.onIdle();
    } finally {
      clearInterval(sample);
      await close();
    }
    expect(scheduler.listTasks().map((t) => [t.id, t.status, t.attempts])).toEqual([0, 1, 2, 3].map((i) => [`q${i}`, 'completed', 1]));
    expect(sawWaiting).toBe(true);
    expect(peakRunning).toBe(1);
    expect(started).toHaveLength(4);
    const log = await readLog(redis.url, prefix);
    for (const task of started) {
      expect(task.startedAt).toBeGreaterThanOrEqual(placedAt.get(task.id) as number);
      // The coordinator hears a job is active when the worker took it, not when it was queued:
      // the jobs after the first waited 400 ms or more. (The worker's handler logs its start a
      // moment after BullMQ emits `active`; on a busy machine the coordinator may hear it first.)
      const ranAt = log.find((e) => e.task === task.id && e.event === 'start')?.at as number;
      expect(task.startedAt).toBeGreaterThanOrEqual(ranAt - 250);
    }
    expect(log.filter((e) => e.event === 'start')).toHaveLength(4);
  });

  it('keeps tasks dispatched while no worker serves their node, and starts them when one comes', async () => {
    const prefix = 'late';
    const { scheduler, close } = await startCoordinator(redis.url, { nodes: ['a'], prefix }, { maxWorkers: 2, defaultTimeoutMs: 1000 });
    try {
      scheduler.scheduleTasks([{ id: 'l0', type: 'sleep', config: { ms: 50 } }, { id: 'l1', type: 'sleep', config: { ms: 50 } }]);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // longer than the attempt timeout
      expect(scheduler.listTasks().map((t) => [t.status, t.pendingReason])).toEqual([['pending', 'dispatched'], ['pending', 'dispatched']]);
      expect(scheduler.explainTask('l0').summary).toMatch(/^attempt 1 holds a worker slot and waits for a worker: no worker is connected for any node \(a\)$/);
      expect(scheduler.getStats()).toMatchObject({ running: 0, dispatched: 2 });
      workers.push(...(await startWorkers(redis.url, [{ node: 'a', prefix, concurrency: 2 }])));
      await scheduler.onIdle();
      expect(scheduler.listTasks().map((t) => [t.status, t.attempts])).toEqual([['completed', 1], ['completed', 1]]);
    } finally {
      await close();
    }
  });
});
