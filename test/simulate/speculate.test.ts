import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/simulate/simulate.js';
import { compareSimulations } from '../../src/simulate/compareSimulations.js';
import type { SimulationWorkload, WorkloadFileTask } from '../../src/simulate/types.js';

/** One straggler among quick tasks: its own draw is long, its backup's (another draw) is short. */
const longTail = (idempotent: boolean): SimulationWorkload => {
  const tasks: Record<string, WorkloadFileTask> = {};
  for (let i = 0; i < 40; i++) tasks[`t${i}`] = { estimate: 1, duration: { distribution: 'exponential', mean: 1 }, idempotent };
  return { tasks, maxWorkers: 8 };
};

describe('simulate with speculate', () => {
  it('backs up an idempotent straggler once it ran the multiple of its estimate, and the first copy to finish wins', async () => {
    const plain = await simulate(longTail(true), { seed: 1 });
    const speculated = await simulate(longTail(true), { seed: 1, speculate: 2 });
    expect(speculated.metrics.makespanMs).toBeLessThan(plain.metrics.makespanMs);
    const backups = speculated.trace.tasks.filter((task) => task.id.endsWith('~backup'));
    expect(backups.length).toBeGreaterThan(0);
    const endOf = (id: string) => speculated.trace.events.filter((event) => event.task === id).at(-1);
    for (const backup of backups) {
      const original = backup.id.slice(0, -'~backup'.length);
      const started = speculated.trace.events.find((event) => event.task === original && event.to === 'running')?.time as number;
      const backupStarted = speculated.trace.events.find((event) => event.task === backup.id && event.to === 'running')?.time as number;
      // Started no sooner than twice the estimate (1 s) into the original's attempt.
      expect(backupStarted - started).toBeGreaterThanOrEqual(2000);
      // The original completes when the first copy finishes; the backup is cancelled or completed then.
      expect(endOf(original)?.to).toBe('completed');
      expect(['cancelled', 'completed']).toContain(endOf(backup.id)?.to);
      expect(endOf(backup.id)?.time).toBe(endOf(original)?.time);
    }
  });

  it('backs up no straggler whose backup id is a task of the workload, and leaves that task to run to its end', async () => {
    const workload: SimulationWorkload = { tasks: { a: { estimate: 1, duration: 5, idempotent: true }, 'a~backup': { estimate: 1, duration: 10 } }, maxWorkers: 4 };
    const { trace } = await simulate(workload, { seed: 1, speculate: 2 });
    const endOf = (id: string) => trace.events.filter((event) => event.task === id).at(-1);
    expect(trace.tasks.map((task) => task.id).sort()).toEqual(['a', 'a~backup']);
    expect(endOf('a')).toMatchObject({ to: 'completed', time: 5000 });
    expect(endOf('a~backup')).toMatchObject({ to: 'completed', time: 10000 });
  });

  it('never backs up a task whose estimate is 0, which is no bound (as in a live run)', async () => {
    const { trace } = await simulate({ tasks: { a: { estimate: 0, duration: 5, idempotent: true } }, maxWorkers: 4 }, { seed: 1, speculate: 2 });
    expect(trace.tasks.map((task) => task.id)).toEqual(['a']);
  });

  it('never backs up a task that is not idempotent, and is off by default', async () => {
    const notIdempotent = await simulate(longTail(false), { seed: 1, speculate: 2 });
    const byDefault = await simulate(longTail(true), { seed: 1 });
    for (const { trace } of [notIdempotent, byDefault]) expect(trace.tasks.some((task) => task.id.endsWith('~backup'))).toBe(false);
    expect(notIdempotent.metrics.makespanMs).toBe(byDefault.metrics.makespanMs);
  });

  it('compares each policy without and with speculate', async () => {
    const rows = await compareSimulations(longTail(true), ['priority', 'fifo'], { seed: 1, speculate: 2 });
    expect(rows.map((row) => row.policy)).toEqual(['priority', 'priority + speculate', 'fifo', 'fifo + speculate']);
    expect(rows[1]?.makespanMs).toBeLessThan(rows[0]?.makespanMs as number);
  });

  it('refuses a speculate that is not a positive multiple', async () => {
    await expect(simulate(longTail(true), { speculate: 0 })).rejects.toThrow('simulate: expected speculate to be a number > 0 (a multiple of a task\'s estimate), received 0');
  });
});
