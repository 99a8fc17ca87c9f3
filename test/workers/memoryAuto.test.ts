import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/createScheduler.js';
import { LearnedEstimates } from '../../src/estimates/LearnedEstimates.js';
import type { TaskRecord, TaskSpec } from '../../src/types.js';
import { commandTask } from '../../src/workers/commandTask.js';

const hold = "python3 -c \"b = b'x' * (100 * 2 ** 20); import time; time.sleep(1)\"";

/** Runs 8 commands that each hold 100 MiB for 1 s on a 1 GiB pool; returns their records and the most that ran at once. */
async function runWorkload(learned: LearnedEstimates, memory: number | 'auto'): Promise<{ records: TaskRecord[]; mostAtOnce: number; makespanMs: number }> {
  const scheduler = createScheduler({ estimates: learned, maxWorkers: 8, resources: { memory: 1, cpu: 8 } });
  let running = 0;
  let mostAtOnce = 0;
  scheduler.events.on('task:started', () => (mostAtOnce = Math.max(mostAtOnce, ++running)));
  for (const end of ['task:completed', 'task:failed', 'task:retrying'] as const) scheduler.events.on(end, () => running--);
  const specs: TaskSpec[] = Array.from({ length: 8 }, (_, i) => ({
    name: `hold${i}`,
    type: 'hold',
    runs: hold,
    resources: { memory },
    memoryLimit: 'enforce',
    retry: { attempts: 2, backoffMs: 0 },
    run: commandTask(hold),
  }));
  const records = await Promise.all(scheduler.scheduleTasks(specs).map((id) => scheduler.waitForTask(id)));
  await scheduler.stop();
  const makespanMs = Math.max(...records.map((r) => r.completedAt ?? Number.NaN)) - Math.min(...records.map((r) => r.createdAt));
  return { records, mostAtOnce, makespanMs };
}

describe('memory: auto', () => {
  it('runs a workload whose requests are four times too large at least 1.5 times faster after one run, no task killed for memory', async () => {
    const learned = new LearnedEstimates();
    const declared = await runWorkload(learned, 0.4);
    expect(declared.mostAtOnce).toBe(2);
    const auto = await runWorkload(learned, 'auto');
    // p90 of ≈110 MiB plus 15%: about 0.13 GiB each, so seven fit where two did.
    const requested = auto.records[0]!.resources['memory']!;
    expect(requested).toBeGreaterThan(0.1);
    expect(requested).toBeLessThan(0.2);
    expect(auto.mostAtOnce).toBeGreaterThanOrEqual(5);
    expect(auto.records.every((record) => record.status === 'completed' && record.attempts === 1)).toBe(true);
    expect(declared.makespanMs / auto.makespanMs).toBeGreaterThanOrEqual(1.5);
  });
});
