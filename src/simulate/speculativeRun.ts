import type { Scheduler } from '../core/scheduler.js';
import { backupIdOf } from '../core/Speculation.js';
import type { TaskRun } from '../types.js';
import type { SimulationClock } from './SimulationClock.js';
import type { SimulationTask } from './types.js';

/** What {@link speculativeRun} needs: the simulated scheduler and clock, and the two draws. */
export interface SpeculativeRunInput {
  readonly scheduler: Scheduler;
  readonly clock: SimulationClock;
  readonly maxWorkers: number;
  readonly task: SimulationTask;
  /** The attempt's own duration, and the backup's (another draw from the same distribution). */
  readonly durationMs: number;
  readonly backupMs: number;
  /** The backup starts once the attempt has run this many times its estimate. */
  readonly afterEstimates: number;
}


/**
 * The work of an idempotent task under `speculate`, as the simulator models it: the attempt runs
 * for `durationMs`; once it has run `afterEstimates` × its estimate, if a worker is free and no
 * ready task of higher priority waits, a backup copy (`<id>~backup`, same priority, resources and
 * group) is scheduled as a task of its own for `backupMs`. The first of the two to finish ends the
 * attempt, and the other is cancelled (its worker and resources go back at once).
 *
 * @example
 * run: speculativeRun({ scheduler, clock, maxWorkers: 4, task, durationMs: 9000, backupMs: 800, afterEstimates: 2 })
 */
export function speculativeRun(input: SpeculativeRunInput): TaskRun {
  const { scheduler, clock, task } = input;
  return () =>
    new Promise<void>((resolve) => {
      let isDone = false;
      let isBackedUp = false;
      const backupId = backupIdOf(task.id);
      const finish = (): void => {
        if (isDone) return;
        isDone = true;
        clock.clearTimeout(own);
        clock.clearTimeout(check);
        if (isBackedUp) scheduler.cancelTask(backupId, `"${task.id}" finished first`);
        resolve();
      };
      const own = clock.setTimeout(finish, input.durationMs);
      const check = clock.setTimeout(() => {
        const stats = scheduler.getStats();
        const next = scheduler.getQueue(1)[0];
        if (isDone || stats.running + stats.dispatched >= input.maxWorkers || (next !== undefined && next.priority > task.priority)) return;
        // A task of the workload has the copy's id: as the live scheduler does, no backup.
        if (scheduler.hasTask(backupId)) return;
        isBackedUp = true;
        scheduler.scheduleTask({
          id: backupId,
          priority: task.priority,
          resources: task.resources,
          group: task.group,
          ...(task.estimateMs === undefined ? {} : { estimateMs: task.estimateMs }),
          run: () => new Promise<void>((done) => clock.setTimeout(() => done(), input.backupMs)),
        });
        void scheduler.waitForTask(backupId).then((record) => record.status === 'completed' && finish());
      }, (task.estimateMs ?? 0) * input.afterEstimates);
    });
}
