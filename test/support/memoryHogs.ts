import { createScheduler } from '../../src/core/createScheduler.js';
import type { LearnedEstimates } from '../../src/estimates/LearnedEstimates.js';
import type { TaskRecord, TaskSpec } from '../../src/types.js';
import { commandTask } from '../../src/workers/commandTask.js';

/** A command that writes `mib` MiB (every page touched) and holds it for `seconds`. */
export const holdCommand = (mib: number, seconds: number): string => `python3 -c "b = b'x' * (${mib} * 2 ** 20); import time; time.sleep(${seconds})"`;

/** What {@link runMemoryHogs} saw. */
export interface MemoryHogsRun {
  readonly records: TaskRecord[];
  /** The most attempts running at once. */
  readonly mostAtOnce: number;
  /** From the first task's creation to the last one's end, ms. */
  readonly makespanMs: number;
}

/**
 * Runs 8 commands that each hold 100 MiB for 1 s, each declaring `memory` of a 1 GiB pool (8
 * workers), with `memoryLimit: 'enforce'` and one retry, learning into `learned`.
 *
 * @example
 * const declared = await runMemoryHogs(learned, 0.4); // two at once
 * const auto = await runMemoryHogs(learned, 'auto'); // what the first run measured, plus 15%
 */
export async function runMemoryHogs(learned: LearnedEstimates, memory: number | 'auto'): Promise<MemoryHogsRun> {
  const scheduler = createScheduler({ estimates: learned, maxWorkers: 8, resources: { memory: 1, cpu: 8 } });
  let running = 0;
  let mostAtOnce = 0;
  scheduler.events.on('task:started', () => (mostAtOnce = Math.max(mostAtOnce, ++running)));
  for (const end of ['task:completed', 'task:failed', 'task:retrying'] as const) scheduler.events.on(end, () => running--);
  const command = holdCommand(100, 1);
  const specs: TaskSpec[] = Array.from({ length: 8 }, (_, i) => ({
    name: `hold${i}`,
    type: 'hold',
    runs: command,
    resources: { memory },
    memoryLimit: 'enforce',
    retry: { attempts: 2, backoffMs: 0 },
    run: commandTask(command),
  }));
  const records = await Promise.all(scheduler.scheduleTasks(specs).map((id) => scheduler.waitForTask(id)));
  await scheduler.stop();
  const makespanMs = Math.max(...records.map((r) => r.completedAt ?? Number.NaN)) - Math.min(...records.map((r) => r.createdAt));
  return { records, mostAtOnce, makespanMs };
}
