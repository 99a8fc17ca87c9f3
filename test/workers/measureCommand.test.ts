import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { MemoryLimitError } from '../../src/errors.js';
import { LearnedEstimates } from '../../src/estimates/LearnedEstimates.js';
import { commandTask } from '../../src/workers/commandTask.js';
import { createProcessGroupMonitor } from '../../src/workers/createProcessGroupMonitor.js';
import type { MeasuredUsage } from '../../src/usageTypes.js';
import { taskContext } from './taskContext.js';
import { holdCommand } from '../support/memoryHogs.js';

const MiB = 2 ** 20;
const hold = (mib: number, seconds = 0.6): string => holdCommand(mib, seconds);
/** A command whose child (a grandchild of the shell) holds the memory: the whole group counts. */
const holdInChild = (mib: number): string => `sh -c '${hold(mib).replace(/'/g, `'"'"'`)}' & wait`;

describe('commandTask measurement', () => {
  it('records a command that holds 150 MiB at 150-400 MiB peak, with its CPU time, measured from /proc', async () => {
    const reported: MeasuredUsage[] = [];
    await commandTask(hold(150))({ ...taskContext({}), reportUsage: (usage) => reported.push(usage) });
    expect(reported).toHaveLength(1);
    const usage = reported[0]!;
    expect(usage.measuredBy).toBe('proc');
    expect(usage.peakRssBytes! / MiB).toBeGreaterThanOrEqual(150);
    expect(usage.peakRssBytes! / MiB).toBeLessThanOrEqual(400);
    // Writing 150 MiB takes CPU time; sleeping takes none.
    expect(usage.cpuMs).toBeGreaterThan(0);
    expect(usage.cpuMs).toBeLessThan(600);
  });

  it('counts the memory of every process of the group, not only the shell it started', async () => {
    const reported: MeasuredUsage[] = [];
    await commandTask(holdInChild(120))({ ...taskContext({}), reportUsage: (usage) => reported.push(usage) });
    expect(reported[0]!.peakRssBytes! / MiB).toBeGreaterThanOrEqual(120);
  });

  it('puts the measurement on the task record with the duration the scheduler saw, and teaches the history', async () => {
    const learned = new LearnedEstimates();
    const scheduler = createScheduler({ estimates: learned });
    const id = scheduler.scheduleTask({ name: 'hold', type: 'memory', runs: 'hold 150', run: commandTask(hold(150, 0.3)) });
    const record = await scheduler.waitForTask(id);
    expect(record.status).toBe('completed');
    expect(record.usage).toMatchObject({ measuredBy: 'proc' });
    expect(record.usage!.durationMs).toBeGreaterThanOrEqual(300);
    expect(record.usage!.peakRssBytes! / MiB).toBeGreaterThanOrEqual(150);
    const [summary] = learned.summary();
    expect(summary).toMatchObject({ name: 'hold', command: 'hold 150', runs: 1 });
    expect(summary!.peakRssBytes!.p90 / MiB).toBeGreaterThan(145);
    await scheduler.stop();
  });

  it('with memoryLimit: enforce, kills an attempt over its request plus the margin with a MemoryLimitError naming peak and request, and retries with 1.2 times the memory', async () => {
    const learned = new LearnedEstimates();
    const scheduler = createScheduler({ estimates: learned, resources: { memory: 8 } });
    const retries: { memory: number | undefined; error: Error }[] = [];
    scheduler.events.on('task:retrying', ({ task, error }) => retries.push({ memory: task.resources['memory'], error }));
    // 0.1 GiB = 102.4 MiB, limit 117.8 MiB; the retry asks 0.12 GiB (limit 141 MiB): killed again.
    const id = scheduler.scheduleTask({
      name: 'greedy',
      runs: 'hold 150',
      resources: { memory: 0.1 },
      memoryLimit: 'enforce',
      retry: { attempts: 2, backoffMs: 0 },
      run: commandTask(hold(150, 5)),
    });
    const record = await scheduler.waitForTask(id);
    expect(record.status).toBe('failed');
    expect(record.error).toBeInstanceOf(MemoryLimitError);
    const error = record.error as MemoryLimitError;
    expect(error.requestBytes).toBeCloseTo(0.12 * 2 ** 30);
    expect(error.peakBytes).toBeGreaterThan(error.limitBytes);
    expect(error.message).toMatch(/used \d+\.\d MiB of memory, over its request of 122\.9 MiB plus the margin/);
    // Killed well before its 5 s of holding.
    expect(record.usage!.durationMs).toBeLessThan(4000);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.memory).toBe(0.12);
    expect(retries[0]!.error).toBeInstanceOf(MemoryLimitError);
    // The history counts both kills, and recommends more than the last request, 1.2 × 0.12 GiB at least.
    const [summary] = learned.summary({ memory: 8 });
    expect(summary).toMatchObject({ name: 'greedy', memoryKills: 2 });
    expect(summary!.recommended.memory).toBeGreaterThanOrEqual(0.144);
    await scheduler.stop();
  });

  it('does not kill a command that stays within its request plus the margin', async () => {
    const scheduler = createScheduler({ resources: { memory: 8 } });
    const id = scheduler.scheduleTask({ resources: { memory: 0.25 }, memoryLimit: 'enforce', run: commandTask(hold(150, 0.3)) });
    const record = await scheduler.waitForTask(id);
    expect(record.status).toBe('completed');
    expect(record.memoryLimitBytes).toBeCloseTo(0.25 * 1.15 * 2 ** 30);
    await scheduler.stop();
  });

  it('measures nothing where /proc cannot be read, and says so with no usage', async () => {
    const monitor = createProcessGroupMonitor(100, '/nonexistent-proc');
    expect(monitor.canMeasure).toBe(false);
    const reported: MeasuredUsage[] = [];
    await commandTask('true', { monitor })({ ...taskContext({}), reportUsage: (usage) => reported.push(usage) });
    expect(reported).toEqual([]);
  });
});
