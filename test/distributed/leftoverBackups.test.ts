import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { eventually, readLog } from './coordinator.js';
import { originalOfBackup } from '../../src/distributed/findLeftoverBackups.js';
import { redisForSuite } from './redisForSuite.js';
import { events, speculatingRestarts } from './speculatingRestart.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';
import { type WorkerProcess } from './startWorkers.js';

describe('originalOfBackup', () => {
  it("names the attempt a backup copy's job of the run copies", () => {
    expect(originalOfBackup('r1', 'r1.a~backup.2')).toBe('r1.a.2');
    expect(originalOfBackup('r1', 'r1.build%3Aall~backup.12')).toBe('r1.build%3Aall.12');
  });

  it("refuses another run's job, one whose run id merely starts with the run's, and jobs that are no backup", () => {
    for (const jobId of ['r2.a~backup.1', 'r10.a~backup.1', 'r1.x.a~backup.1', 'r1.a.1', 'r1.~backup.1', 'r1.a~backup.0', 'r1.a~backup.x', 'r1.a~backup']) {
      expect(originalOfBackup('r1', jobId), jobId).toBeUndefined();
    }
  });
});

// The dead coordinator's backup copy is still on "fast" at the restart, and the restarted
// coordinator starts no backup of its own that would take it over.
describe.skipIf(requireTool('redis-server') !== undefined)("a dead coordinator's backup job nothing takes over, the run restarted on its store", () => {
  let redis: TestRedis;
  const workers: WorkerProcess[] = [];
  redisForSuite((started) => (redis = started), () => Promise.all(workers.map((worker) => worker.kill())));
  const { logged, restartAfter } = speculatingRestarts(() => redis, workers);

  /** Puts a backup copy's job of another run ("other-run") on the "fast" queue, behind what runs there. */
  async function addOtherRunsBackup(prefix: string): Promise<void> {
    const queue = new Queue('fast', { connection: { url: redis.url }, prefix });
    try {
      const task = { id: 'other', type: 'sleep', status: 'running', attempts: 1 };
      await queue.add('sleep', { taskId: 'other~backup', attempt: 1, type: 'sleep', config: { ms: 100 }, run: undefined, task }, { jobId: 'other-run.a~backup.1' });
    } finally {
      await queue.close();
    }
  }

  it('cancels the backup job of an attempt whose original ended while no coordinator ran, and leaves the job of another run to run', async () => {
    const prefix = 'ended';
    // The original takes 1.5 s on "slow" and ends while no coordinator runs; its backup would
    // take 15 s on "fast", where the other run's backup job waits behind it.
    const { scheduler, close } = await restartAfter({
      prefix,
      ms: 1500,
      killAfter: ['slow start', 'fast start'],
      thenWaitFor: 'slow end',
      slowFactors: { slow: 1, fast: 10 },
      found: 'finished',
      meanwhile: () => addOtherRunsBackup(prefix),
    });
    try {
      expect(await scheduler.waitForTask('a')).toMatchObject({ status: 'completed', result: 'a on slow', attempts: 1 });
      // Aborted at once, not after its 15 s: and the worker it held is free for the other run's job.
      await eventually(() => logged(prefix, 'fast aborted', 'fast end'), 8000);
      const log = await readLog(redis.url, prefix);
      expect(log.map((entry) => `${entry.task} ${entry.node} ${entry.event}`)).toEqual(['a slow start', 'a fast start', 'a slow end', 'a fast aborted', 'other fast start', 'other fast end']);
      expect(scheduler.getTask('a').backup).toBeUndefined();
      expect(scheduler.getStats()).toMatchObject({ running: 0, dispatched: 0, backups: 0, completed: 1 });
    } finally {
      await close();
    }
  }, 40_000);

  it('cancels the backup job of an adopted attempt when the task is cancelled before any backup of its own started', async () => {
    const prefix = 'cancelled-paused';
    // Paused after the restart: no dispatch pass, so no backup of the straggler is started here.
    const { scheduler, close } = await restartAfter({ prefix, ms: 4000, killAfter: ['slow start', 'fast start'], resume: false });
    try {
      expect(scheduler.getTask('a').backup).toBeUndefined();
      expect(scheduler.cancelTask('a')).toBe(true);
      // The backup would end after 4 s on "fast" (the original after 20 s on "slow").
      await eventually(() => logged(prefix, 'slow aborted', 'fast aborted'), 3000);
      expect(scheduler.getTask('a').status).toBe('cancelled');
      expect(scheduler.getTask('a').backup).toBeUndefined();
      expect(events(await readLog(redis.url, prefix)).sort()).toEqual(['fast aborted', 'fast start', 'slow aborted', 'slow start']);
    } finally {
      await close();
    }
  }, 40_000);
});
