import type { Scheduler } from '../../src/core/scheduler.js';
import type { DistributedExecutor } from '../../src/distributed/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import type { TaskSpec } from '../../src/types.js';
import { startCoordinator } from './coordinator.js';

/** What a speculating run is given: Redis, its store file, its queues' prefix, and how long its task sleeps. */
export interface SpeculatingRunOptions {
  readonly url: string;
  readonly file: string;
  readonly prefix: string;
  readonly ms: number;
}

/** The run's one task: an idempotent `sleep` estimated far below what it takes, so it straggles. */
export const stragglerOf = (ms: number): TaskSpec => ({ id: 'a', type: 'sleep', config: { ms }, idempotent: true, estimateMs: 200 });

/**
 * A coordinator on a SQLite store (its runId is the executor's, so a restart finds the jobs) with
 * `speculate: 2`, on nodes "slow" (at most one job placed: the original) and "fast" (its backup),
 * with {@link stragglerOf} scheduled (again, on a restart: a store keeps no `idempotent`, and the
 * spec must say it before the running attempt is adopted, in the same synchronous step), paused
 * first when `paused`. Its checks run at the default interval: jobs count as stale (and are read
 * from Redis) after 5 s. Killed in a child process (speculatingCoordinator.ts) and opened again in
 * the test's own.
 */
export async function openSpeculatingRun({ url, file, prefix, ms }: SpeculatingRunOptions, paused = false): Promise<{ scheduler: Scheduler; executor: DistributedExecutor; close(): Promise<void> }> {
  const store = sqliteStore(file);
  const nodes = [{ name: 'slow', maxWorkers: 1 }, 'fast'];
  const run = await startCoordinator(url, { nodes, prefix, runId: store.runId, loadBalancing: 'round_robin', checkIntervalMs: 1000 }, { store, maxWorkers: 2, speculate: 2 }, (scheduler) => {
    if (paused) scheduler.pause();
    scheduler.scheduleTasks([stragglerOf(ms)]);
  });
  return {
    ...run,
    async close() {
      await run.close();
      store.close();
    },
  };
}
