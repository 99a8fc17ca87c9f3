import { describe, expect, it } from 'vitest';
import { trackTaskRuns, type TaskChange } from '../../src/cli/trackTaskRuns.js';
import { createScheduler } from '../../src/core/createScheduler.js';
import { SimulationClock } from '../../src/simulate/SimulationClock.js';
import type { SchedulerEvents } from '../../src/events.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import type { TaskContext, TaskRecord } from '../../src/types.js';

/** Lets the scheduler react, then moves the simulated clock to each due timer, until nothing is due. */
async function drive(clock: SimulationClock): Promise<void> {
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    const next = clock.nextDueTime();
    if (next === undefined) return;
    clock.advanceTo(next);
  }
}

describe('trackTaskRuns', () => {
  it('adds up time running and time queued over every attempt, leaving out dependencies and retry backoff', async () => {
    const clock = new SimulationClock();
    const scheduler = createScheduler({ clock, maxWorkers: 1, defaultRetry: { attempts: 2, backoffMs: 1000 } });
    const tracker = trackTaskRuns(scheduler, { now: () => clock.now() });
    const changes: string[] = [];
    tracker.onChange(({ kind, task }: TaskChange) => changes.push(`${clock.now()} ${kind} ${task.name}`));
    const after = (ms: number, fail = false) => () =>
      new Promise<{ stdout: string }>((resolve, reject) =>
        clock.setTimeout(() => (fail ? reject(Object.assign(new Error('boom'), { stdout: 'partial\n' })) : resolve({ stdout: `done\nafter ${ms}\n` })), ms),
      );
    scheduler.scheduleTasks([
      { id: 'first', run: after(100) },
      { id: 'second', run: after(50) },
      { id: 'child', dependencies: ['first'], run: after(10) },
      { id: 'flaky', priority: 'low', run: ({ attempt }: TaskContext) => after(30, attempt === 1)() },
    ]);
    await drive(clock);
    const byName = new Map(tracker.tasks().map((task) => [task.name, task]));
    // One worker: first 0-100, second 100-150, child 150-160, flaky 160-190 (fails), backoff until 1190, flaky 1190-1220.
    expect(byName.get('first')).toMatchObject({ status: 'completed', attempts: 1, durationMs: 100, waitMs: 0, output: 'done\nafter 100' });
    expect(byName.get('second')).toMatchObject({ status: 'completed', attempts: 1, durationMs: 50, waitMs: 100 });
    expect(byName.get('child')).toMatchObject({ status: 'completed', attempts: 1, durationMs: 10, waitMs: 50 });
    expect(byName.get('flaky')).toMatchObject({ status: 'completed', attempts: 2, durationMs: 60, waitMs: 160, error: undefined });
    expect(changes).toContain('190 retrying flaky');
    expect(changes.at(-1)).toBe('1220 completed flaky');
    await scheduler.stop();
  });

  it("counts a parent's running time up to when its work returned, not the time it waits for its children", async () => {
    const clock = new SimulationClock();
    const scheduler = createScheduler({ clock, maxWorkers: 2 });
    const tracker = trackTaskRuns(scheduler, { now: () => clock.now() });
    const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(() => resolve(), ms));
    scheduler.scheduleTask({
      id: 'split',
      run: async (ctx) => {
        await sleep(20);
        ctx.spawn([{ id: 'lemma', run: () => sleep(500) }]);
        return 'split';
      },
    });
    const seen: string[] = [];
    tracker.onChange(({ kind, task }: TaskChange) => seen.push(`${clock.now()} ${kind} ${task.name}`));
    await drive(clock);
    const byName = new Map(tracker.tasks().map((task) => [task.name, task]));
    expect(byName.get('split')).toMatchObject({ status: 'completed', attempts: 1, durationMs: 20 });
    expect(byName.get('lemma')).toMatchObject({ status: 'completed', durationMs: 500 });
    // While it waits it is not running: a progress view shows it pending.
    expect(seen).toContain('20 pending split');
  });

  it('counts no queue wait for a race or a parent while they wait for their children: they wait for no worker', async () => {
    const clock = new SimulationClock();
    const scheduler = createScheduler({ clock, maxWorkers: 2 });
    const tracker = trackTaskRuns(scheduler, { now: () => clock.now() });
    const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(() => resolve(), ms));
    scheduler.scheduleTasks([
      { id: 'goal', race: [{ run: () => sleep(300) }, { run: () => sleep(400) }] },
      { id: 'split', dependencies: ['goal'], run: (ctx) => (ctx.spawn([{ id: 'lemma', run: () => sleep(200) }]), 'split') },
    ]);
    await drive(clock);
    const byName = new Map(tracker.tasks().map((task) => [task.name, task]));
    expect(byName.get('goal')).toMatchObject({ status: 'completed', attempts: 0, waitMs: 0 });
    expect(byName.get('split')).toMatchObject({ status: 'completed', attempts: 1, waitMs: 0 });
  });

  it('counts the queue time of a task cancelled before it started, and the error of a failure', async () => {
    const clock = new SimulationClock();
    const scheduler = createScheduler({ clock, maxWorkers: 1, defaultRetry: { attempts: 1 } });
    const tracker = trackTaskRuns(scheduler, { now: () => clock.now() });
    scheduler.scheduleTasks([
      { id: 'long', run: () => new Promise((_, reject) => clock.setTimeout(() => reject(new Error('no proof found')), 500)) },
      { id: 'waiting', run: () => undefined },
    ]);
    clock.setTimeout(() => scheduler.cancelTask('waiting', 'not needed'), 200);
    await drive(clock);
    const byName = new Map(tracker.tasks().map((task) => [task.name, task]));
    expect(byName.get('long')).toMatchObject({ status: 'failed', attempts: 1, durationMs: 500, error: 'no proof found' });
    expect(byName.get('waiting')).toMatchObject({ status: 'cancelled', attempts: 0, durationMs: 0, waitMs: 200, error: 'not needed' });
    tracker.stop();
    await scheduler.stop();
  });
});

/** A scheduler that resumed with `records` and whose events the test sends with `emit`. */
function resumedScheduler(records: TaskRecord[]): { scheduler: Scheduler; emit: (type: keyof SchedulerEvents, event: unknown) => void } {
  const handlers = new Set<(type: keyof SchedulerEvents, event: unknown) => void>();
  const scheduler = {
    listTasks: () => records,
    events: { on: (_: '*', handler: (type: keyof SchedulerEvents, event: unknown) => void) => handlers.add(handler), off: () => undefined },
  } as unknown as Scheduler;
  return { scheduler, emit: (type, event) => handlers.forEach((handler) => handler(type, event)) };
}

describe('trackTaskRuns on a resumed run', () => {
  it('counts an attempt that was running when the earlier process died from the resume, not from its stored start', () => {
    let clock = 100_000;
    const interrupted = { id: 'b', name: 'b', status: 'running', attempts: 1, startedAt: 1_000, readyAt: 900 } as TaskRecord;
    const done = { id: 'a', name: 'a', status: 'completed', attempts: 1, startedAt: 500, completedAt: 800 } as TaskRecord;
    const { scheduler, emit } = resumedScheduler([done, interrupted]);
    const tracker = trackTaskRuns(scheduler, { now: () => clock });
    // The resumed attempt is reported interrupted at once; the retry then runs 3 s.
    clock += 5;
    emit('task:retrying', { task: interrupted, error: new Error('attempt 1 was interrupted'), delayMs: 0 });
    emit('task:started', { task: { ...interrupted, attempts: 2, startedAt: clock, readyAt: clock } });
    clock += 3000;
    emit('task:completed', { task: { ...interrupted, status: 'completed', attempts: 2, completedAt: clock }, result: undefined });
    const byName = new Map(tracker.tasks().map((task) => [task.name, task]));
    // Not 102 s (99 s of them with no process at all).
    expect(byName.get('b')).toMatchObject({ status: 'completed', attempts: 2, durationMs: 3005 });
    expect(byName.get('a')).toMatchObject({ status: 'completed', durationMs: 300 });
  });

  it('counts a queued task\'s wait from the resume, not from when it became ready in the earlier process', () => {
    let clock = 100_000;
    // Ready (queued) at 2 s in the process that died; this one resumes at 100 s.
    const queued = { id: 'q', name: 'q', status: 'pending', attempts: 0, readyAt: 2_000 } as TaskRecord;
    const cancelled = { id: 'c', name: 'c', status: 'pending', attempts: 0, readyAt: 3_000 } as TaskRecord;
    const { scheduler, emit } = resumedScheduler([queued, cancelled]);
    const tracker = trackTaskRuns(scheduler, { now: () => clock });
    clock += 40;
    emit('task:started', { task: { ...queued, status: 'running', attempts: 1, startedAt: clock } });
    clock += 10;
    emit('task:completed', { task: { ...queued, status: 'completed', attempts: 1, startedAt: 100_040, completedAt: clock }, result: undefined });
    emit('task:cancelled', { task: { ...cancelled, status: 'cancelled', completedAt: clock }, reason: 'stopped' });
    const byName = new Map(tracker.tasks().map((task) => [task.name, task]));
    // Not 98 s: no process ran between 2 s and 100 s.
    expect(byName.get('q')).toMatchObject({ status: 'completed', waitMs: 40, durationMs: 10 });
    expect(byName.get('c')).toMatchObject({ status: 'cancelled', waitMs: 50 });
  });

  it('takes a resumed task\'s plan from its start: the run gives it its learned estimate after the tracker began', () => {
    const queued = { id: 'q', name: 'q', status: 'pending', attempts: 0, readyAt: 2_000, dependencies: [] } as unknown as TaskRecord;
    const { scheduler, emit } = resumedScheduler([queued]);
    const tracker = trackTaskRuns(scheduler, { now: () => 100_000 });
    expect(tracker.tasks()[0]).toMatchObject({ estimateMs: undefined, estimateSource: undefined });
    emit('task:started', { task: { ...queued, status: 'running', attempts: 1, startedAt: 100_000, estimateMs: 1200, estimateSource: 'task' } });
    expect(tracker.tasks()[0]).toMatchObject({ estimateMs: 1200, estimateSource: 'task' });
  });

  it('counts no queue wait for a parent resumed while it waits for its children', () => {
    let clock = 100_000;
    const parent = { id: 'split', name: 'split', status: 'pending', pendingReason: 'children', attempts: 1, readyAt: 1_000, startedAt: 1_000 } as TaskRecord;
    const { scheduler, emit } = resumedScheduler([parent]);
    const tracker = trackTaskRuns(scheduler, { now: () => clock });
    clock += 4_000;
    emit('task:completed', { task: { ...parent, status: 'completed', pendingReason: undefined, completedAt: clock }, result: 'split' });
    expect(tracker.tasks()[0]).toMatchObject({ status: 'completed', waitMs: 0 });
  });
});
