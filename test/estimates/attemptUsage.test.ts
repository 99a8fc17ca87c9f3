import { describe, expect, it } from 'vitest';
import { HistoryError } from '../../src/errors.js';
import { LearnedEstimates } from '../../src/estimates/LearnedEstimates.js';
import type { Executor } from '../../src/core/Executor.js';
import type { TaskSpec } from '../../src/types.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import { manualWork, settle, simulatedScheduler } from '../support/harness.js';

const MiB = 2 ** 20;

describe('what an attempt used, as the scheduler keeps it', () => {
  it('puts the usage an executor reports with the outcome (a remote worker measured it) on the record', async () => {
    const executor: Executor = {
      name: 'remote-like',
      inFlight: 0,
      start(attempt, report) {
        queueMicrotask(() => report(attempt.taskId, attempt.attempt, { ok: true, result: 1, usage: { peakRssBytes: 80 * MiB, cpuMs: 120, measuredBy: 'proc' } }));
      },
      abort() {},
      onSettled: () => Promise.resolve(),
    };
    const { scheduler } = simulatedScheduler({ executor });
    const id = scheduler.scheduleTask({ run: () => 1 });
    const record = await scheduler.waitForTask(id);
    expect(record.usage).toEqual({ durationMs: 0, peakRssBytes: 80 * MiB, cpuMs: 120, measuredBy: 'proc' });
  });

  it('teaches durations only from completions: a timed-out or cancelled attempt teaches nothing, a failure only its memory', async () => {
    const learned = new LearnedEstimates();
    const { scheduler, advance } = simulatedScheduler({ estimates: learned });
    const spec = (name: string, extra: Partial<TaskSpec> = {}): TaskSpec => ({ id: name, name, runs: name, type: 't', retry: { attempts: 1 }, ...extra });
    const failing = manualWork();
    const slow = manualWork();
    const cancelled = manualWork();
    scheduler.scheduleTasks([
      spec('fails', { run: (ctx) => (ctx.reportUsage?.({ peakRssBytes: 300 * MiB, cpuMs: 5, measuredBy: 'proc' }), failing.run(ctx)) }),
      spec('times-out', { timeoutMs: 100, run: slow.run }),
      spec('cancelled', { run: cancelled.run }),
    ]);
    await advance(50);
    failing.reject(new Error('boom'));
    scheduler.cancelTask('cancelled');
    await advance(100);
    await settle();
    const summary = Object.fromEntries(learned.summary().map((s) => [s.name, s]));
    expect(Object.keys(summary)).toEqual(['fails']);
    expect(summary['fails']).toMatchObject({ runs: 0, durationMs: null });
    expect(Math.abs(summary['fails']!.peakRssBytes!.p50 / (300 * MiB) - 1)).toBeLessThan(0.025);
    expect(learned.estimate({ name: 'times-out', runs: 'times-out', type: 't' }).source).toBe('default');
  });

  it('plans a task with its declared estimate whatever was learned, and with the learned one for estimate: auto', async () => {
    const learned = new LearnedEstimates();
    learned.observe({ name: 'a', runs: '', type: 'generic' }, { durationMs: 5000, peakRssBytes: undefined, cpuMs: undefined, measuredBy: 'none' }, 0);
    const { scheduler } = simulatedScheduler({ estimates: learned, autoStart: false });
    scheduler.scheduleTasks([
      { id: 'declared', name: 'a', estimateMs: 100, run: () => 1 },
      { id: 'auto', name: 'a', estimateMs: 'auto', run: () => 1 },
      { id: 'unknown', name: 'zzz', type: 'other', run: () => 1 },
    ]);
    expect(scheduler.getTask('declared')).toMatchObject({ estimateMs: 100, estimateSource: 'declared' });
    expect(scheduler.getTask('auto').estimateSource).toBe('task');
    expect(Math.abs(scheduler.getTask('auto').estimateMs! / 5000 - 1)).toBeLessThan(0.025);
    expect(scheduler.getTask('unknown')).toMatchObject({ estimateMs: 10_000, estimateSource: 'default' });
  });

  it('reports a history that cannot be written as an error event, and ends the attempt as it did', async () => {
    const learned = new LearnedEstimates({
      onChange: () => {
        throw new HistoryError('h.db', 'storing the usage of task "a" failed (SQLITE_FULL): database or disk is full');
      },
    });
    const { scheduler } = simulatedScheduler({ estimates: learned });
    const errors: Error[] = [];
    scheduler.events.on('error', ({ error }) => errors.push(error));
    const id = scheduler.scheduleTask({ name: 'a', run: () => 'done' });
    const record = await scheduler.waitForTask(id);
    expect(record).toMatchObject({ status: 'completed', result: 'done' });
    expect(errors.map((error) => error.message)).toEqual(['history "h.db": storing the usage of task "a" failed (SQLITE_FULL): database or disk is full']);
  });

  it('plans as before with no history: no estimate, no source', () => {
    const { scheduler } = simulatedScheduler({ autoStart: false });
    scheduler.scheduleTask({ id: 'a', run: () => 1 });
    expect(scheduler.getTask('a').estimateMs).toBeUndefined();
    expect(scheduler.getTask('a').estimateSource).toBeUndefined();
  });

  it('refuses a bad memoryLimit or an auto request of another pool, naming the field', () => {
    const { scheduler } = simulatedScheduler({ autoStart: false });
    expect(() => scheduler.scheduleTask({ id: 'a', resources: { memory: 1 }, memoryLimit: 'always' as 'enforce', run: () => 1 })).toThrow(/memoryLimit: expected 'enforce', received "always"/);
    expect(() => scheduler.scheduleTask({ id: 'b', resources: { disk: 'auto' }, run: () => 1 })).toThrow(/resources\.disk: expected a number \('auto' is learned only for memory and cpu\)/);
    // A limit of nothing would kill every attempt at its first sample.
    expect(() => scheduler.scheduleTask({ id: 'c', memoryLimit: 'enforce', run: () => 1 })).toThrow(
      /task\.memoryLimit: expected 'enforce' beside a memory request \(resources\.memory > 0 or 'auto'\), received "'enforce' with resources\.memory absent"/,
    );
  });

  it('resumes a stored task that asked memory: auto with the request it was stored with, though the history has learned since', async () => {
    const store = memoryTaskStore();
    const learned = new LearnedEstimates();
    const spec: TaskSpec = { id: 'a', name: 'a', type: 'hold', resources: { memory: 'auto' } };
    const handlers = { hold: () => 1 };
    const first = simulatedScheduler({ store, estimates: learned, autoStart: false, handlers }).scheduler;
    first.scheduleTask(spec);
    expect(first.getTask('a').resources).toEqual({ memory: 1 });
    await first.stop();
    learned.observe({ name: 'a', runs: '', type: 'hold' }, { durationMs: 10, peakRssBytes: 2 ** 28, cpuMs: 1, measuredBy: 'proc' }, 0);
    const second = simulatedScheduler({ store, estimates: learned, autoStart: false, handlers }).scheduler;
    expect(() => second.scheduleTask(spec)).not.toThrow();
    expect(second.getTask('a').resources).toEqual({ memory: 1 });
    // A task that is new to the store asks for what the history recommends now.
    second.scheduleTask({ ...spec, id: 'b', name: 'a' });
    expect(second.getTask('b').resources['memory']).toBeLessThan(0.4);
    await second.stop();
  });

  it('resolves memory: auto without a history to the stated default of 1 GiB, bounded by the pool', () => {
    const { scheduler } = simulatedScheduler({ autoStart: false, resources: { memory: 0.5, cpu: 4 } });
    scheduler.scheduleTask({ id: 'a', resources: { memory: 'auto', cpu: 'auto' }, run: () => 1 });
    expect(scheduler.getTask('a').resources).toEqual({ memory: 0.5, cpu: 1 });
  });
});
