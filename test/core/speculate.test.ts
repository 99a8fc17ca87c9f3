import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import type { SchedulerOptions } from '../../src/core/SchedulerOptions.js';
import type { Executor } from '../../src/core/Executor.js';
import { inlineExecutor } from '../../src/executors/inlineExecutor.js';
import { InvalidOptionsError } from '../../src/errors.js';
import { LearnedEstimates } from '../../src/estimates/LearnedEstimates.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import type { BackupRecord, SchedulerStats, TaskRun, TaskSpec } from '../../src/types.js';
import { commandTask } from '../../src/workers/commandTask.js';
import { createWorkerPool } from '../../src/workers/createWorkerPool.js';
import { manualWork, settle, simulatedScheduler } from '../support/harness.js';

/** A straggler-prone task: idempotent, estimated at 100 ms. */
const straggler = (run: TaskRun, extra: Partial<TaskSpec> = {}): TaskSpec => ({ id: 'a', run, idempotent: true, estimateMs: 100, retry: { attempts: 1 }, ...extra });

/** Nothing holds a worker, a resource or a backup; no count below zero. */
function expectQuiet(stats: SchedulerStats): void {
  expect(stats.running).toBe(0);
  expect(stats.dispatched).toBe(0);
  expect(stats.backups).toBe(0);
  for (const pool of Object.values(stats.resources)) expect(pool.used).toBe(0);
  for (const key of ['pending', 'running', 'dispatched', 'queued', 'completed', 'failed', 'cancelled', 'backups'] as const) expect(stats[key]).toBeGreaterThanOrEqual(0);
}

/** The backup events a scheduler emits, in order. */
function backupEvents(scheduler: Scheduler): BackupRecord[] {
  const seen: BackupRecord[] = [];
  scheduler.events.on('task:backup', ({ backup }) => seen.push(backup));
  return seen;
}

/** An executor whose attempts outlive the scheduler (as a remote job does): it re-attaches to them, and says what it adopted and aborted. */
function reattachingExecutor(): { executor: Executor; adopted: string[] } {
  const inline = inlineExecutor();
  const adopted: string[] = [];
  const executor: Executor = {
    name: 'reattaching',
    start: (attempt, report) => inline.start(attempt, report),
    abort: (taskId, attempt, reason) => {
      adopted.push(`abort ${taskId}#${attempt}: ${reason.message}`);
      inline.abort(taskId, attempt, reason);
    },
    adopt: (attempt) => void adopted.push(`adopt ${attempt.taskId}#${attempt.attempt}`),
    get inFlight() {
      return inline.inFlight;
    },
    onSettled: () => inline.onSettled(),
  };
  return { executor, adopted };
}

/** Task `a` of type `work`: idempotent, estimated at 100 ms. */
const STRAGGLER_A: TaskSpec = { id: 'a', type: 'work', idempotent: true, estimateMs: 100 };

/**
 * A scheduler dropped (as if killed) 50 ms into attempt 1 of {@link STRAGGLER_A}, and the one
 * that restores it at 1000 ms on an executor that re-attaches to that attempt (so the attempt is
 * adopted, not interrupted); `work` is what the second one runs, a backup copy included.
 */
async function restartedStraggler(): Promise<{ second: ReturnType<typeof simulatedScheduler>; adopted: string[]; work: ReturnType<typeof manualWork> }> {
  const store = memoryTaskStore();
  const first = simulatedScheduler({ maxWorkers: 2, store, handlers: { work: () => new Promise(() => {}) } });
  first.scheduler.scheduleTask(STRAGGLER_A);
  await first.advance(50);
  const { executor, adopted } = reattachingExecutor();
  const work = manualWork();
  const second = simulatedScheduler({ maxWorkers: 2, speculate: 2, store, executor, handlers: { work: work.run } }, 1000);
  return { second, adopted, work };
}

describe('speculate (backup copies of stragglers in a live run)', () => {
  it('starts one backup once the attempt has run speculate × its estimate, and the backup wins', async () => {
    const work = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 2, speculate: 2 });
    const seen = backupEvents(scheduler);
    scheduler.scheduleTask(straggler(work.run));
    await advance(199);
    expect(work.calls).toHaveLength(1);
    await advance(1);
    expect(work.calls).toHaveLength(2);
    expect(work.calls[1]?.attempt).toBe(1);
    expect(scheduler.getStats()).toMatchObject({ running: 1, backups: 1 });
    expect(scheduler.getTask('a').backup).toMatchObject({ id: 'a~backup', attempt: 1, outcome: 'running', startedAt: 200 });
    expect(scheduler.explainTask('a').summary).toBe('attempt 1 straggles: its backup copy "a~backup" runs beside it (for 0 ms); the first to finish wins');
    await advance(50);
    expect(scheduler.explainTask('a').summary).toContain('runs beside it (for 50 ms)');
    await advance(450);
    expect(work.calls).toHaveLength(2); // one backup per attempt

    work.resolve('from the backup', 2);
    const record = await scheduler.waitForTask('a');
    expect(record).toMatchObject({ status: 'completed', result: 'from the backup', attempts: 1, backup: { outcome: 'won', endedAt: 700 } });
    expect(work.calls[0]?.signal.aborted).toBe(true);
    expect(work.calls[1]?.signal.aborted).toBe(false);
    // Its usage is the backup's run (500 ms), not the straggler's (700 ms).
    expect(record.usage?.durationMs).toBe(500);
    expect(seen.map((backup) => backup.outcome)).toEqual(['running', 'won']);
    // The straggler's late outcome changes nothing.
    work.resolve('late', 1);
    await settle();
    expect(scheduler.getTask('a').result).toBe('from the backup');
    expect(scheduler.getStats()).toMatchObject({ completed: 1, pending: 0 });
    expectQuiet(scheduler.getStats());
  });

  it('cancels the backup when the original finishes first', async () => {
    const work = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 2, speculate: 2 });
    let completions = 0;
    scheduler.events.on('task:completed', () => completions++);
    scheduler.scheduleTask(straggler(work.run));
    await advance(250);
    expect(work.calls).toHaveLength(2);
    work.resolve('original', 1);
    const record = await scheduler.waitForTask('a');
    expect(record).toMatchObject({ status: 'completed', result: 'original', backup: { outcome: 'lost' } });
    expect(work.calls[1]?.signal.aborted).toBe(true);
    work.resolve('late backup', 2);
    await settle();
    expect(completions).toBe(1);
    expectQuiet(scheduler.getStats());
  });

  it('never backs up a task that is not idempotent, or that has no estimate (or one of 0)', async () => {
    const work = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 5, speculate: 1 });
    scheduler.scheduleTasks([
      { id: 'plain', run: work.run, estimateMs: 100 },
      { id: 'unknown', run: work.run, idempotent: true },
      { id: 'instant', run: work.run, idempotent: true, estimateMs: 0 },
      { id: 'control', run: work.run, idempotent: true, estimateMs: 100 },
    ]);
    await advance(10_000);
    // Only the control (idempotent, with an estimate) got its copy.
    expect(work.calls.map((ctx) => ctx.task.id)).toEqual(['plain', 'unknown', 'instant', 'control', 'control']);
    expect(scheduler.getStats().backups).toBe(1);
    expect(scheduler.getTask('plain').backup).toBeUndefined();
    expect(scheduler.getTask('unknown').backup).toBeUndefined();
  });

  it('waits for a free worker, then backs the straggler up when one frees', async () => {
    const work = manualWork();
    const other = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 2, speculate: 2 });
    scheduler.scheduleTasks([straggler(work.run), { id: 'busy', run: other.run }]);
    await advance(1000);
    expect(work.calls).toHaveLength(1);
    other.resolve('done');
    await advance(0);
    expect(work.calls).toHaveLength(2);
    expect(scheduler.getTask('a').backup?.startedAt).toBe(1000);
  });

  it('gives no backup while a queued task of higher priority waits for resources, and one when it has started', async () => {
    const work = manualWork();
    const hog = manualWork();
    const urgent = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 3, speculate: 2, resources: { cpu: 2 } });
    scheduler.scheduleTasks([
      straggler(work.run),
      { id: 'hog', run: hog.run, resources: { cpu: 2 }, priority: 'low' },
    ]);
    await advance(10);
    scheduler.scheduleTask({ id: 'urgent', run: urgent.run, resources: { cpu: 2 }, priority: 'high' });
    await advance(1000);
    // A worker is free, but the urgent task waits: it goes first.
    expect(work.calls).toHaveLength(1);
    expect(scheduler.getStats()).toMatchObject({ running: 2, queued: 1, backups: 0 });
    hog.resolve();
    await advance(0);
    expect(urgent.calls).toHaveLength(1);
    expect(work.calls).toHaveLength(2);
  });

  it('does not let a backup take resources a blocked queued task waits for', async () => {
    const work = manualWork();
    const hog = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 4, speculate: 2, resources: { cpu: 3 } });
    scheduler.scheduleTasks([straggler(work.run, { resources: { cpu: 1 } }), { id: 'hog', run: hog.run, resources: { cpu: 1 } }]);
    await advance(10);
    // Same priority as the straggler: it may be backed up, but not with the cpu this task waits for.
    scheduler.scheduleTask({ id: 'big', run: () => 'ok', resources: { cpu: 2 } });
    await advance(1000);
    expect(work.calls).toHaveLength(1);
    hog.resolve();
    await advance(0);
    expect(scheduler.getTask('big').status).toBe('completed');
    await advance(0);
    expect(work.calls).toHaveLength(2);
    expect(scheduler.getStats().resources['cpu']?.used).toBe(2);
  });

  it('starts no backup while the scheduler is paused, and backs the straggler up on resume', async () => {
    const work = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 2, speculate: 2 });
    scheduler.scheduleTask(straggler(work.run));
    await advance(10);
    scheduler.pause();
    await advance(1000);
    expect(work.calls).toHaveLength(1);
    scheduler.resume();
    await advance(0);
    expect(work.calls).toHaveLength(2);
    expect(scheduler.getTask('a').backup?.startedAt).toBe(1010);
  });

  it('cancels the backup with its task', async () => {
    const work = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 2, speculate: 2 });
    scheduler.scheduleTask(straggler(work.run, { resources: { cpu: 1 } }));
    await advance(300);
    expect(scheduler.getStats().resources['cpu']?.used).toBe(2);
    scheduler.cancelTask('a', 'not needed');
    const record = await scheduler.waitForTask('a');
    expect(record).toMatchObject({ status: 'cancelled', backup: { outcome: 'cancelled' } });
    expect(work.calls.map((ctx) => ctx.signal.aborted)).toEqual([true, true]);
    expectQuiet(scheduler.getStats());
  });

  it('lets a backup copy spawn nothing (an empty list) and still win: only children are what a copy may not spawn', async () => {
    const work = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 2, speculate: 2 });
    const spawnsNothing: TaskRun = (ctx) => (ctx.spawn([]), work.run(ctx));
    scheduler.scheduleTask(straggler(spawnsNothing));
    await advance(200);
    expect(scheduler.getTask('a').backup).toMatchObject({ outcome: 'running' });
    work.resolve('from the backup', 2);
    const record = await scheduler.waitForTask('a');
    expect(record).toMatchObject({ status: 'completed', result: 'from the backup', backup: { outcome: 'won' } });
    expectQuiet(scheduler.getStats());
  });

  it('cancels a running backup when the original attempt spawns children: a copy cannot stand in for work that spawned', async () => {
    const work = manualWork();
    const child = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 3, speculate: 2 });
    scheduler.scheduleTask(straggler(work.run));
    await advance(200);
    expect(scheduler.getStats().backups).toBe(1);
    work.calls[0]?.spawn([{ id: 'k', run: child.run }]);
    await settle();
    expect(scheduler.getTask('a').backup).toMatchObject({ outcome: 'cancelled', endedAt: 200 });
    expect(work.calls[1]?.signal.aborted).toBe(true);
    // The copy's late result is not the task's: the original's work goes on.
    work.resolve('from the copy', 2);
    await settle();
    expect(scheduler.getTask('a').status).toBe('running');
    expect(work.calls[0]?.signal.aborted).toBe(false);
    work.resolve('from the original', 1);
    child.resolve('k');
    const record = await scheduler.waitForTask('a');
    expect(record).toMatchObject({ status: 'completed', result: 'from the original', children: ['k'] });
    expectQuiet(scheduler.getStats());
  });

  it('stops the backup with the attempt on a timeout, and on stop()', async () => {
    const work = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 4, speculate: 2 });
    scheduler.scheduleTasks([straggler(work.run, { timeoutMs: 500 }), straggler(work.run, { id: 'b' })]);
    await advance(300);
    expect(work.calls).toHaveLength(4);
    await advance(200);
    expect(scheduler.getTask('a')).toMatchObject({ status: 'failed', backup: { outcome: 'cancelled' } });
    const aborted = work.calls.filter((ctx) => ctx.signal.aborted).length;
    expect(aborted).toBe(2);
    const stopping = scheduler.stop({ graceMs: 0 });
    await settle();
    expect(work.calls.every((ctx) => ctx.signal.aborted)).toBe(true);
    work.calls.forEach((_ctx, i) => work.resolve(undefined, i + 1));
    await stopping;
    expect(scheduler.getTask('b').backup?.outcome).toBe('cancelled');
    expectQuiet(scheduler.getStats());
  });

  it("leaves the original to go on when the backup fails; the original's failure cancels the backup and retries as usual", async () => {
    const work = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 2, speculate: 2, defaultRetry: { attempts: 2, backoffMs: 0 } });
    scheduler.scheduleTask({ id: 'a', run: work.run, idempotent: true, estimateMs: 100 });
    await advance(200);
    work.reject(new Error('backup broke'), 2);
    await settle();
    expect(scheduler.getTask('a')).toMatchObject({ status: 'running', backup: { outcome: 'failed', error: 'backup broke' } });
    expect(scheduler.getStats().backups).toBe(0);
    // One backup per attempt: no second copy of attempt 1.
    await advance(1000);
    expect(work.calls).toHaveLength(2);
    work.reject(new Error('original broke'), 1);
    await advance(0);
    expect(work.calls).toHaveLength(3);
    expect(work.calls[2]?.attempt).toBe(2);
    // The retry is watched afresh: its own backup after 200 ms.
    await advance(200);
    expect(work.calls).toHaveLength(4);
    expect(scheduler.getTask('a').backup).toMatchObject({ attempt: 2, outcome: 'running' });
    work.reject(new Error('retry broke'), 3);
    const record = await scheduler.waitForTask('a');
    expect(record).toMatchObject({ status: 'failed', backup: { attempt: 2, outcome: 'cancelled' } });
    expect(work.calls[3]?.signal.aborted).toBe(true);
    expect(scheduler.getStats()).toMatchObject({ failed: 1 });
    expectQuiet(scheduler.getStats());
  });

  it('uses the learned p90 duration as the bound when the history has one', async () => {
    const learned = new LearnedEstimates();
    for (let i = 0; i < 10; i++) learned.observe({ name: 'a', runs: 'prove a', type: 'generic' }, { durationMs: 50, peakRssBytes: undefined, cpuMs: undefined, measuredBy: 'none' }, 0);
    const work = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 2, speculate: 2, estimates: learned });
    // Declared at 10 s: the learned p90 (about 50 ms) is the bound all the same.
    scheduler.scheduleTask({ id: 'a', runs: 'prove a', run: work.run, idempotent: true, estimateMs: 10_000 });
    await advance(80);
    expect(work.calls).toHaveLength(1);
    await advance(30);
    expect(work.calls).toHaveLength(2);
  });

  it('refuses a speculate that is not a number > 0, naming the option', () => {
    for (const value of [0, -1, Number.NaN, '2', Number.POSITIVE_INFINITY]) {
      expect(() => createScheduler({ speculate: value } as unknown as SchedulerOptions)).toThrow(InvalidOptionsError);
    }
    expect(() => createScheduler({ speculate: 0 })).toThrow(/options\.speculate: expected a finite number > 0 .*received 0/);
  });

  it('completes a speculated task at most once, and its backup never outlives it (property)', async () => {
    const outcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          original: fc.integer({ min: 1, max: 2000 }),
          backup: fc.integer({ min: 1, max: 2000 }),
          originalFails: fc.boolean(),
          backupFails: fc.boolean(),
          cancelAt: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
          others: fc.integer({ min: 0, max: 3 }),
          workers: fc.integer({ min: 1, max: 3 }),
        }),
        async (plan) => {
          const { scheduler, clock, advance } = simulatedScheduler({ maxWorkers: plan.workers, speculate: 1.5, resources: { cpu: 4 } });
          let copies = 0;
          const run: TaskRun = (ctx) =>
            new Promise((resolve, reject) => {
              const copy = copies++;
              const ms = copy === 0 ? plan.original : plan.backup;
              const fails = copy === 0 ? plan.originalFails : plan.backupFails;
              const timer = clock.setTimeout(() => (fails ? reject(new Error(`copy ${copy} failed`)) : resolve(copy)), ms);
              ctx.signal.addEventListener('abort', () => clock.clearTimeout(timer));
            });
          const ends: string[] = [];
          let backupRunningAfterEnd = false;
          for (const event of ['task:completed', 'task:failed', 'task:cancelled'] as const) {
            scheduler.events.on(event, ({ task }) => {
              if (task.id === 'a') ends.push(task.status);
            });
          }
          scheduler.events.on('task:backup', ({ task, backup }) => {
            if (backup.outcome === 'running' && task.status !== 'running') backupRunningAfterEnd = true;
          });
          scheduler.scheduleTasks([
            { id: 'a', run, idempotent: true, estimateMs: 100, retry: { attempts: 1 }, resources: { cpu: 1 } },
            ...Array.from({ length: plan.others }, (_, i) => ({ id: `o${i}`, run: () => new Promise<void>((done) => clock.setTimeout(done, 300 * (i + 1))) })),
          ]);
          for (let t = 0; t < 4200; t += 50) {
            if (plan.cancelAt !== undefined && t === Math.floor(plan.cancelAt / 50) * 50 && scheduler.getTask('a').status !== 'completed') scheduler.cancelTask('a');
            await advance(50);
            const stats = scheduler.getStats();
            // Every copy holds a slot, counted once: never more than the workers, nor more cpu than the pool.
            expect(stats.running + stats.dispatched + stats.backups).toBeLessThanOrEqual(plan.workers);
            expect(stats.resources['cpu']?.used).toBeLessThanOrEqual(4);
          }
          await scheduler.onIdle();
          expect(ends.length).toBe(1);
          expect(backupRunningAfterEnd).toBe(false);
          expect(scheduler.getTask('a').backup?.outcome ?? 'none').not.toBe('running');
          expect(copies).toBeLessThanOrEqual(2);
          expectQuiet(scheduler.getStats());
          const backup = scheduler.getTask('a').backup?.outcome ?? 'none';
          outcomes.add(backup);
          if (ends[0] === 'completed') expect(scheduler.getTask('a').result).toBe(backup === 'won' ? 1 : 0);
        },
      ),
      {
        numRuns: 150,
        // One run for each way the backup can end, whatever the random ones cover.
        examples: [
          [{ original: 2000, backup: 100, originalFails: false, backupFails: false, cancelAt: undefined, others: 0, workers: 2 }],
          [{ original: 200, backup: 2000, originalFails: false, backupFails: false, cancelAt: undefined, others: 0, workers: 2 }],
          [{ original: 1000, backup: 100, originalFails: false, backupFails: true, cancelAt: undefined, others: 0, workers: 2 }],
          [{ original: 300, backup: 2000, originalFails: true, backupFails: false, cancelAt: undefined, others: 0, workers: 2 }],
          [{ original: 2000, backup: 2000, originalFails: false, backupFails: false, cancelAt: 1000, others: 1, workers: 3 }],
          [{ original: 2000, backup: 100, originalFails: false, backupFails: false, cancelAt: undefined, others: 0, workers: 1 }],
        ],
      },
    );
    // The runs covered backups that won, lost, failed and were cancelled, as well as none.
    expect([...outcomes].sort()).toEqual(['cancelled', 'failed', 'lost', 'none', 'won']);
  });

  it('kills the straggling command process group when its backup wins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xeno-speculate-'));
    // The first copy to run straggles (a long sleep, whose pid it writes down); the second returns at once.
    const command = `if mkdir "${dir}/first" 2>/dev/null; then sleep 30 & echo $! > "${dir}/pid"; wait; else echo fast; fi`;
    const scheduler = createScheduler({ maxWorkers: 2, speculate: 1 });
    // Backed up after 1 s: long enough for the original's shell to take the lock first, even on a busy machine.
    scheduler.scheduleTask({ id: 'a', run: commandTask(command), idempotent: true, estimateMs: 1000, retry: { attempts: 1 } });
    const record = await scheduler.waitForTask('a');
    expect(record.status).toBe('completed');
    expect(record.backup?.outcome).toBe('won');
    expect(existsSync(join(dir, 'pid'))).toBe(true);
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    const isAlive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && isAlive(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(isAlive()).toBe(false);
    await scheduler.stop();
    expectQuiet(scheduler.getStats());
  });

  it('runs the backup of a worker-thread task in another thread, and stops the straggling thread when the backup wins', async () => {
    const pool = createWorkerPool({ maxThreads: 2 });
    const counter = new Int32Array(new SharedArrayBuffer(8));
    const scheduler = createScheduler({ maxWorkers: 2, speculate: 1 });
    try {
      const straggle = pool.task(fileURLToPath(new URL('../fixtures/workers/straggler.mjs', import.meta.url)));
      // Backed up after 1 s: long enough for the original's thread to start spinning first, even on a busy machine.
      scheduler.scheduleTask({ id: 'a', run: straggle, config: { counter }, idempotent: true, estimateMs: 1000, retry: { attempts: 1 } });
      const record = await scheduler.waitForTask('a');
      expect(record).toMatchObject({ status: 'completed', result: 'fast', backup: { outcome: 'won' } });
      await scheduler.stop();
      const spun = Atomics.load(counter, 0);
      expect(spun).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(Atomics.load(counter, 0)).toBe(spun);
      expect(pool.stats().aborted).toBe(1);
      expectQuiet(scheduler.getStats());
    } finally {
      await pool.destroy();
    }
  });

  it('journals no backup: a run killed while a backup ran resumes the task as an interrupted attempt, once', async () => {
    const store = memoryTaskStore();
    const forever: TaskRun = () => new Promise(() => {});
    const first = simulatedScheduler({ maxWorkers: 2, speculate: 2, store, handlers: { work: forever } });
    first.scheduler.scheduleTask({ id: 'a', type: 'work', idempotent: true, estimateMs: 100 });
    await first.advance(300);
    expect(first.scheduler.getStats().backups).toBe(1);
    // "Killed": the first scheduler is dropped as it is, its backup running.
    const states = await store.load();
    expect(states.map((state) => state.task.id)).toEqual(['a']);

    const runs: number[] = [];
    const second = simulatedScheduler({ maxWorkers: 2, speculate: 2, store, handlers: { work: (ctx) => void runs.push(ctx.attempt) } }, 1000);
    await second.advance(0);
    const record = await second.scheduler.waitForTask('a');
    expect(record).toMatchObject({ status: 'completed', attempts: 2 });
    expect(record.backup).toBeUndefined();
    expect(runs).toEqual([2]);
    expect(second.scheduler.hasTask('a~backup')).toBe(false);
    expectQuiet(second.scheduler.getStats());
  });

  it('watches an attempt its executor re-attached to after a restart from its stored start, and backs it up when overdue', async () => {
    const { second, adopted, work } = await restartedStraggler();
    // Scheduled again, as a resuming app does: the store keeps no `idempotent`, the spec gives it back.
    second.scheduler.scheduleTask(STRAGGLER_A);
    await second.advance(0);
    // Started at 0 by the first scheduler, due at 200: backed up at once.
    expect(adopted).toEqual(['adopt a#1']);
    expect(work.calls.map((ctx) => ctx.attempt)).toEqual([1]);
    expect(second.scheduler.getTask('a').backup).toMatchObject({ id: 'a~backup', attempt: 1, outcome: 'running' });
    work.resolve('from the backup');
    expect(await second.scheduler.waitForTask('a')).toMatchObject({ status: 'completed', result: 'from the backup', attempts: 1 });
    expect(adopted[1]).toBe('abort a#1: task "a" was cancelled: its backup copy "a~backup" finished first');
  });

  it('watches an adopted attempt once its spec, given again after the app awaited something, says it is idempotent', async () => {
    const { second, adopted, work } = await restartedStraggler();
    // The restore adopted the attempt with no `idempotent` (a store keeps none): nothing watched it.
    await second.advance(0);
    expect(adopted).toEqual(['adopt a#1']);
    second.scheduler.scheduleTask(STRAGGLER_A);
    await second.advance(0);
    expect(second.scheduler.getTask('a').backup).toMatchObject({ id: 'a~backup', attempt: 1, outcome: 'running' });
    // Scheduled again once more: the attempt had its one copy, and gets no other.
    second.scheduler.scheduleTask(STRAGGLER_A);
    await second.advance(500);
    expect(work.calls.map((ctx) => ctx.attempt)).toEqual([1]);
    work.resolve('from the backup');
    expect(await second.scheduler.waitForTask('a')).toMatchObject({ status: 'completed', result: 'from the backup', attempts: 1 });
  });

  it('backs up a recovered task scheduled again with its run: idempotent comes back with the spec, not without it', async () => {
    const store = memoryTaskStore();
    const spec = (run: TaskRun): TaskSpec => ({ id: 'a', run, idempotent: true, estimateMs: 100 });
    const first = simulatedScheduler({ maxWorkers: 2, speculate: 2, store });
    first.scheduler.scheduleTask(spec(() => new Promise(() => {})));
    await first.advance(50);

    const work = manualWork();
    const second = simulatedScheduler({ maxWorkers: 2, speculate: 2, store }, 1000);
    second.scheduler.scheduleTask(spec(work.run));
    await second.advance(0);
    expect(work.calls.map((ctx) => ctx.attempt)).toEqual([2]);
    await second.advance(200);
    expect(work.calls.map((ctx) => ctx.attempt)).toEqual([2, 2]);
    work.resolve('backup', 2);
    expect(await second.scheduler.waitForTask('a')).toMatchObject({ status: 'completed', result: 'backup', backup: { attempt: 2, outcome: 'won' } });
  });

  it("keeps a backup's win in the journal: a resumed run finds the task completed with its result", async () => {
    const store = memoryTaskStore();
    const work = manualWork();
    const first = simulatedScheduler({ maxWorkers: 2, speculate: 2, store, handlers: { work: work.run } });
    first.scheduler.scheduleTask({ id: 'a', type: 'work', idempotent: true, estimateMs: 100 });
    await first.advance(300);
    work.resolve('backup result', 2);
    await first.advance(0);
    expect(first.scheduler.getTask('a').status).toBe('completed');

    const runs: number[] = [];
    const second = simulatedScheduler({ maxWorkers: 2, speculate: 2, store, handlers: { work: (ctx) => void runs.push(ctx.attempt) } }, 1000);
    await second.advance(0);
    expect(second.scheduler.getTask('a')).toMatchObject({ status: 'completed', result: 'backup result' });
    expect(runs).toEqual([]);
  });

  it('cancels a running backup whose id a newly scheduled task takes, so ending the straggler never aborts that task', async () => {
    const work = manualWork();
    const other = manualWork();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 4, speculate: 1 });
    scheduler.scheduleTask(straggler(work.run));
    await advance(100);
    expect(scheduler.getStats().backups).toBe(1);
    scheduler.scheduleTask({ id: 'a~backup', run: other.run });
    await advance(1);
    expect(scheduler.getTask('a').backup).toMatchObject({ outcome: 'cancelled' });
    expect(work.calls[1]?.signal.aborted).toBe(true);
    expect(other.calls).toHaveLength(1);
    work.resolve('original', 1);
    await settle();
    expect(scheduler.getTask('a').status).toBe('completed');
    expect(other.calls[0]?.signal.aborted).toBe(false);
    other.resolve('mine', 1);
    expect(await scheduler.waitForTask('a~backup')).toMatchObject({ status: 'completed', result: 'mine' });
    expectQuiet(scheduler.getStats());
  });
});
