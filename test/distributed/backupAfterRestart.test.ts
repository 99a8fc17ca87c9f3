import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually, readLog, type LogEntry } from './coordinator.js';
import { redisForSuite } from './redisForSuite.js';
import { openSpeculatingRun, type SpeculatingRunOptions } from './speculatingRun.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';
import { startWorkers, type WorkerProcess } from './startWorkers.js';

const COORDINATOR = fileURLToPath(new URL('./speculatingCoordinator.ts', import.meta.url));

/** The worker log's events, as "<node> <event>" (the original runs on "slow", its backup on "fast"). */
const events = (log: readonly LogEntry[]): string[] => log.map((entry) => `${entry.node} ${entry.event}`);

// A backup copy is not journaled: a restarted coordinator knows nothing of the backup the dead one
// started, and the backup it starts of the adopted attempt has the same job id (same runId, task
// id "a~backup", attempt 1) on the same node, where BullMQ's add of an existing job id adds nothing.
describe.skipIf(requireTool('redis-server') !== undefined)('a backup copy whose coordinator was SIGKILLed, the run restarted on its store', () => {
  let redis: TestRedis;
  const workers: WorkerProcess[] = [];
  redisForSuite((started) => (redis = started), () => Promise.all(workers.map((worker) => worker.kill())));

  /** True once the worker log holds each of `wanted`. */
  async function logged(prefix: string, ...wanted: string[]): Promise<boolean> {
    const seen = events(await readLog(redis.url, prefix));
    return wanted.every((event) => seen.includes(event));
  }

  /**
   * Runs the task in a coordinator process until the worker log says `killAfter`, SIGKILLs it,
   * waits until the log says `thenWaitFor` (when given), and opens the run again in this process:
   * paused until the running original is adopted, so that its backup goes to "fast" (the one
   * job "slow" may hold is the original's) as the dead coordinator's did.
   */
  async function restartAfter(prefix: string, ms: number, killAfter: readonly string[], thenWaitFor?: string) {
    workers.push(...(await startWorkers(redis.url, [{ node: 'slow', prefix, concurrency: 1, slowFactor: 5 }, { node: 'fast', prefix, concurrency: 1 }])));
    const options: SpeculatingRunOptions = { url: redis.url, file: join(mkdtempSync(join(tmpdir(), 'xeno-backup-')), 'run.db'), prefix, ms };
    const child = spawn(process.execPath, ['--import', 'tsx', COORDINATOR, JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    try {
      await eventually(() => logged(prefix, ...killAfter), 20_000);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    if (thenWaitFor !== undefined) await eventually(() => logged(prefix, thenWaitFor));
    const run = await openSpeculatingRun(options, true);
    const { scheduler, executor } = run;
    try {
      await eventually(() => executor.adoptions().length > 0);
      expect(executor.adoptions()).toEqual([{ taskId: 'a', attempt: 1, node: 'slow', found: 'running' }]);
      scheduler.resume();
    } catch (error) {
      await run.close();
      throw error;
    }
    return { ...run, resumedAt: Date.now() };
  }

  it("takes the outcome of the dead coordinator's backup that finished while none ran: the backup wins at once, not run again", async () => {
    const prefix = 'finished';
    // The original takes 5 s on "slow"; its backup 1 s on "fast", ending while no coordinator runs.
    const { scheduler, close } = await restartAfter(prefix, 1000, ['slow start', 'fast start'], 'fast end');
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
    const { scheduler, close, resumedAt } = await restartAfter(prefix, 2500, ['slow start', 'fast start']);
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
    const { scheduler, close } = await restartAfter(prefix, 4000, ['slow start', 'fast start']);
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
