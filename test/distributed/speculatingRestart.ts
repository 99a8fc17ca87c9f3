import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { eventually, readLog, type LogEntry } from './coordinator.js';
import type { AdoptedJobState } from '../../src/distributed/findAdoptedJob.js';
import { openSpeculatingRun, type SpeculatingRunOptions } from './speculatingRun.js';
import type { TestRedis } from './startRedis.js';
import { startWorkers, type WorkerProcess } from './startWorkers.js';

const COORDINATOR = fileURLToPath(new URL('./speculatingCoordinator.ts', import.meta.url));

/** The worker log's events, as "<node> <event>" (the original runs on "slow", its backup on "fast"). */
export const events = (log: readonly LogEntry[]): string[] => log.map((entry) => `${entry.node} ${entry.event}`);

/** How a speculating run is killed and opened again (see {@link speculatingRestarts}). */
export interface RestartPlan {
  /** The queues' prefix (one per test: its own jobs and worker log). */
  readonly prefix: string;
  /** How long the task sleeps (times each node's slow factor). */
  readonly ms: number;
  /** The coordinator is SIGKILLed once the worker log holds each of these. */
  readonly killAfter: readonly string[];
  /** Then the run is opened again once the log holds this one. */
  readonly thenWaitFor?: string;
  /** The slow factors of the workers of "slow" and "fast" (one worker each, one job at a time). @default { slow: 5, fast: 1 } */
  readonly slowFactors?: { readonly slow: number; readonly fast: number };
  /** What the restarted coordinator finds of the original's job. @default 'running' */
  readonly found?: AdoptedJobState;
  /** Runs while no coordinator runs, just before the restart. */
  readonly meanwhile?: () => Promise<void>;
  /** The restarted run is resumed once the original is adopted (else it stays paused: no backup is started). @default true */
  readonly resume?: boolean;
}

/**
 * Restarts of a speculating run (speculatingRun.ts) whose coordinator was SIGKILLed, for a suite
 * with its own Redis: `redis()` gives it, `workers` collects the worker processes started (for the
 * suite to kill).
 */
export function speculatingRestarts(redis: () => TestRedis, workers: WorkerProcess[]) {
  /** True once the worker log holds each of `wanted`. */
  async function logged(prefix: string, ...wanted: string[]): Promise<boolean> {
    const seen = events(await readLog(redis().url, prefix));
    return wanted.every((event) => seen.includes(event));
  }

  /**
   * Runs the task in a coordinator process until the worker log says `killAfter`, SIGKILLs it,
   * waits until the log says `thenWaitFor` (when given), and opens the run again in this process:
   * paused until the running original is adopted, so that its backup goes to "fast" (the one
   * job "slow" may hold is the original's) as the dead coordinator's did (or for good, when
   * `resume` is false).
   */
  async function restartAfter({ prefix, ms, killAfter, thenWaitFor, slowFactors = { slow: 5, fast: 1 }, found = 'running', meanwhile, resume = true }: RestartPlan) {
    const { url } = redis();
    workers.push(...(await startWorkers(url, [{ node: 'slow', prefix, concurrency: 1, slowFactor: slowFactors.slow }, { node: 'fast', prefix, concurrency: 1, slowFactor: slowFactors.fast }])));
    const options: SpeculatingRunOptions = { url, file: join(mkdtempSync(join(tmpdir(), 'xeno-backup-')), 'run.db'), prefix, ms };
    const child = spawn(process.execPath, ['--import', 'tsx', COORDINATOR, JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    try {
      await eventually(() => logged(prefix, ...killAfter), 20_000);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    if (thenWaitFor !== undefined) await eventually(() => logged(prefix, thenWaitFor));
    await meanwhile?.();
    const run = await openSpeculatingRun(options, true);
    const { scheduler, executor } = run;
    try {
      await eventually(() => executor.adoptions().length > 0);
      expect(executor.adoptions()).toEqual([{ taskId: 'a', attempt: 1, node: 'slow', found }]);
      if (resume) scheduler.resume();
    } catch (error) {
      await run.close();
      throw error;
    }
    return { ...run, resumedAt: Date.now() };
  }

  return { logged, restartAfter };
}
