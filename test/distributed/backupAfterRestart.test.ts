import { describe, expect, it } from 'vitest';
import { eventually, readLog, type LogEntry } from './coordinator.js';
import { redisForSuite } from './redisForSuite.js';
import { events, speculatingRestarts } from './speculatingRestart.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';
import { type WorkerProcess } from './startWorkers.js';

// A backup copy is not journaled: a restarted coordinator knows nothing of the backup the dead one
// started, and the backup it starts of the adopted attempt has the same job id (same runId, task
// id "a~backup", attempt 1) on the same node, where BullMQ's add of an existing job id adds nothing.
describe.skipIf(requireTool('redis-server') !== undefined)('a backup copy whose coordinator was SIGKILLed, the run restarted on its store', () => {
  let redis: TestRedis;
  const workers: WorkerProcess[] = [];
  redisForSuite((started) => (redis = started), () => Promise.all(workers.map((worker) => worker.kill())));

  const { logged, restartAfter } = speculatingRestarts(() => redis, workers);

  it("takes the outcome of the dead coordinator's backup that finished while none ran: the backup wins at once, not run again", async () => {
    const prefix = 'finished';
    // The original takes 5 s on "slow"; its backup 1 s on "fast", ending while no coordinator runs.
    const { scheduler, close } = await restartAfter({ prefix, ms: 1000, killAfter: ['slow start', 'fast start'], thenWaitFor: 'fast end' });
    try {
      const record = await scheduler.waitForTask('a');
      // Not the straggler's own result when it ends at 5 s: the backup's job was finished, and
      // its outcome is read when the new backup's add finds it there (not only when the check
      // for stale jobs reads it, 5 s after the add at its default interval: the straggler won by then).
      expect(record).toMatchObject({ status: 'completed', result: 'a on fast', attempts: 1, node: 'slow', backup: { id: 'a~backup', attempt: 1, outcome: 'won', node: 'fast' } });
      await eventually(() => logged(prefix, 'slow aborted'));
      expect(events(await readLog(redis.url, prefix)).sort()).toEqual(['fast end', 'fast start', 'slow aborted', 'slow start']);
      expect(scheduler.getStats()).toMatchObject({ running: 0, dispatched: 0, backups: 0, completed: 1 });
    } finally {
      await close();
    }
  }, 40_000);

  it("takes over the dead coordinator's backup still running at the restart: its outcome wins, and it runs once", async () => {
    const prefix = 'running';
    const { scheduler, close, resumedAt } = await restartAfter({ prefix, ms: 2500, killAfter: ['slow start', 'fast start'] });
    try {
      const record = await scheduler.waitForTask('a');
      expect(record).toMatchObject({ status: 'completed', result: 'a on fast', attempts: 1, backup: { id: 'a~backup', attempt: 1, outcome: 'won', node: 'fast' } });
      await eventually(() => logged(prefix, 'slow aborted'));
      const log = await readLog(redis.url, prefix);
      expect(events(log).sort()).toEqual(['fast end', 'fast start', 'slow aborted', 'slow start']);
      // It was still running when the new coordinator took it over.
      expect((log.find((entry) => entry.node === 'fast' && entry.event === 'end') as LogEntry).at).toBeGreaterThan(resumedAt);
    } finally {
      await close();
    }
  }, 40_000);

  it("cancels the dead coordinator's backup it took over when the task is cancelled", async () => {
    const prefix = 'cancelled';
    const { scheduler, close } = await restartAfter({ prefix, ms: 4000, killAfter: ['slow start', 'fast start'] });
    try {
      await eventually(() => scheduler.getTask('a').backup?.node === 'fast');
      expect(scheduler.cancelTask('a')).toBe(true);
      await eventually(() => logged(prefix, 'slow aborted', 'fast aborted'));
      expect(scheduler.getTask('a')).toMatchObject({ status: 'cancelled', backup: { outcome: 'cancelled' } });
      expect(events(await readLog(redis.url, prefix)).sort()).toEqual(['fast aborted', 'fast start', 'slow aborted', 'slow start']);
    } finally {
      await close();
    }
  }, 40_000);
});
