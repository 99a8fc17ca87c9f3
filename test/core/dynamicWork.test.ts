import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { RaceLostError, TaskSchedulingError, UpstreamFailedError } from '../../src/errors.js';
import type { TaskContext } from '../../src/types.js';
import { manualWork, settle } from '../support/harness.js';

const noResources = { resources: { cpu: 1 } };

describe('ctx.spawn', () => {
  it('completes a parent only after its work returned and every child completed, with the work\'s result', async () => {
    const s = createScheduler({ maxWorkers: 1, ...noResources });
    const child = manualWork();
    let ids: string[] = [];
    s.scheduleTask({ id: 'split', run: (ctx) => { ids = ctx.spawn([{ id: 'a', run: child.run }, { id: 'b', run: child.run }]); return 'split into 2'; } });
    s.scheduleTask({ id: 'after', dependencies: ['split'], run: () => 'after' });
    await settle();
    expect(ids).toEqual(['a', 'b']);
    // One worker: the parent gave it back when its work returned, so a child runs on it.
    expect(child.calls.map((c) => c.task.id)).toEqual(['a']);
    expect(s.getTask('split')).toMatchObject({ status: 'pending', pendingReason: 'children', children: ['a', 'b'] });
    expect(s.getTask('a').parent).toBe('split');
    expect(s.explainTask('split').summary).toBe('its work returned; waiting for 2 of 2 children');
    child.resolve('A', 1);
    await settle();
    expect(s.explainTask('split').summary).toBe('its work returned; waiting for 1 of 2 children');
    expect(s.getTaskStatus('after')).toBe('pending');
    child.resolve('B', 2);
    const record = await s.waitForTask('after');
    expect(record.status).toBe('completed');
    expect(s.getTask('split')).toMatchObject({ status: 'completed', result: 'split into 2' });
    await s.stop();
  });

  it('counts a parent pending while it waits for children and a race while it waits for alternatives: the running count never goes below what runs', async () => {
    const s = createScheduler({ maxWorkers: 2, ...noResources });
    const child = manualWork();
    s.scheduleTask({ id: 'race', race: [{ run: child.run }, { run: child.run }] });
    s.scheduleTask({ id: 'split', run: (ctx) => { ctx.spawn([{ id: 'a', run: child.run }]); return 'split'; } });
    await settle();
    // Both alternatives hold the workers; split (not run yet: no child a) and the race wait.
    expect(child.calls.map((c) => c.task.id)).toEqual(['race/0', 'race/1']);
    expect(s.getStats()).toMatchObject({ pending: 2, running: 2 });
    child.resolve('won', 1);
    await settle();
    // The race completed from waiting, its loser was cancelled: split's work ran, a runs.
    expect(s.getStats()).toMatchObject({ running: 1, completed: 2, cancelled: 1 });
    child.resolve('A', 3);
    await s.onIdle();
    expect(s.getStats()).toMatchObject({ pending: 0, running: 0, completed: 4, cancelled: 1 });
    // The cancelled alternative's work ignores its signal: nothing to wait for.
    await s.stop({ graceMs: 0 });
  });

  it('holds no worker while it waits, so nested spawns deeper than the pool never deadlock', async () => {
    const s = createScheduler({ maxWorkers: 1, ...noResources });
    const nest = (depth: number) => (ctx: TaskContext): number => {
      if (depth > 0) ctx.spawn([{ id: `level-${depth - 1}`, run: nest(depth - 1) }]);
      return depth;
    };
    s.scheduleTask({ id: 'level-5', run: nest(5) });
    await s.onIdle();
    for (let depth = 0; depth <= 5; depth++) expect(s.getTaskStatus(`level-${depth}`)).toBe('completed');
  });

  it('fails the parent with an UpstreamFailedError naming the failed child, cancels the children not started and cascades to its dependents', async () => {
    const s = createScheduler({ maxWorkers: 1, ...noResources, defaultRetry: { attempts: 1 } });
    s.scheduleTask({
      id: 'split',
      run: (ctx) => {
        ctx.spawn([
          { id: 'bad', run: () => Promise.reject(new Error('no proof')) },
          { id: 'never', run: () => 'ran' },
        ]);
        return 'split';
      },
    });
    s.scheduleTask({ id: 'after', dependencies: ['split'], run: () => 'after' });
    await s.onIdle();
    const parent = s.getTask('split');
    expect(parent.status).toBe('failed');
    expect(parent.error).toBeInstanceOf(UpstreamFailedError);
    expect(parent.error?.message).toBe('task "split" failed: its child "bad" failed');
    expect(s.getTask('never')).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect(s.getTaskStatus('after')).toBe('failed');
  });

  it('cancels its children when the parent is cancelled, aborting the running ones', async () => {
    const s = createScheduler({ maxWorkers: 2, ...noResources });
    const child = manualWork();
    s.scheduleTask({ id: 'p', run: (ctx) => void ctx.spawn([{ id: 'c1', run: child.run }, { id: 'c2', run: child.run }]) });
    await settle();
    expect(child.calls).toHaveLength(2);
    s.cancelTask('p', 'enough');
    await s.onIdle();
    expect(s.getTaskStatus('p')).toBe('cancelled');
    expect(child.calls.every((c) => c.signal.aborted)).toBe(true);
    expect(s.getTask('c1')).toMatchObject({ status: 'cancelled' });
    expect(s.getTask('c1').error?.message).toContain('parent "p" was cancelled');
  });

  it('refuses bad spawns whole, with an error naming the field, and schedules nothing of the batch', async () => {
    const s = createScheduler({ maxWorkers: 1, maxChildren: 3, ...noResources });
    const errors: unknown[] = [];
    const attempt = (specs: Parameters<TaskContext['spawn']>[0]) => (ctx: TaskContext): void => {
      try {
        ctx.spawn(specs);
      } catch (error) {
        errors.push(error);
      }
    };
    s.scheduleTask({ id: 'existing', run: () => 'x' });
    s.scheduleTask({ id: 'p1', run: attempt([{ id: 'fine', run: () => 1 }, { id: 'loop', dependencies: ['p1'], run: () => 1 }]) });
    s.scheduleTask({ id: 'p2', run: attempt([{ id: 'via', dependencies: ['dependent'], run: () => 1 }]) });
    s.scheduleTask({ id: 'dependent', dependencies: ['p2'], run: () => 'd' });
    s.scheduleTask({ id: 'p3', run: attempt([{ id: 'existing', run: () => 1 }]) });
    s.scheduleTask({ id: 'p4', run: attempt([1, 2, 3, 4].map((i) => ({ id: `many${i}`, run: () => i }))) });
    s.scheduleTask({ id: 'p5', run: attempt([{ id: 'r', race: [{ run: () => 1 }] }]) });
    await s.onIdle();
    expect(errors).toHaveLength(5);
    expect(errors.every((e) => e instanceof TaskSchedulingError)).toBe(true);
    const fields = errors.map((e) => (e as TaskSchedulingError).field);
    expect(fields).toEqual(['spawn[1].dependencies[0]', 'spawn[0].dependencies[0]', 'spawn[0].id', 'spawn', 'spawn[0].race']);
    expect((errors[0] as Error).message).toContain('it is its parent');
    expect((errors[1] as Error).message).toBe('child "via" of "p2" cannot depend on "dependent": "dependent" waits for "p2", which waits for its children (a cycle through the parent)');
    expect((errors[2] as Error).message).toBe('spawn[0].id: "existing" is already used by another task');
    expect((errors[3] as Error).message).toBe('task "p4" cannot spawn 4 children: it has 0 and maxChildren is 3');
    expect((errors[4] as Error).message).toContain('at least two alternative task specs');
    for (const id of ['fine', 'loop', 'via', 'many1', 'r']) expect(s.hasTask(id)).toBe(false);
    expect(s.getTask('p1').children).toEqual([]);
  });

  it('refuses an unknown dependency, a cycle among the children and a chain too deep as TaskSchedulingErrors naming the field, and an escaping one fails the parent at once', async () => {
    const s = createScheduler({ maxWorkers: 1, maxDependencyDepth: 2, ...noResources, defaultRetry: { attempts: 3, backoffMs: 1 } });
    const errors: unknown[] = [];
    let escapes = 0;
    s.scheduleTask({
      id: 'p',
      run: (ctx) => {
        const tries = [
          [{ id: 'ok', run: () => 1 }, { id: 'a', dependencies: ['ok', 'nope'], run: () => 1 }],
          [{ id: 'x', dependencies: ['y'], run: () => 1 }, { id: 'y', dependencies: ['x'], run: () => 1 }],
          [{ id: 'd1', run: () => 1 }, { id: 'd2', dependencies: ['d1'], run: () => 1 }, { id: 'd3', dependencies: ['d2'], run: () => 1 }, { id: 'd4', dependencies: ['d3'], run: () => 1 }],
          [{ id: 'solo', run: () => 1 }, { id: 'r', race: [{ id: 'r0', run: () => 1 }, { id: 'r1', dependencies: ['nope'], run: () => 1 }] }],
        ];
        for (const specs of tries) {
          try {
            ctx.spawn(specs);
          } catch (error) {
            errors.push(error);
          }
        }
        return 'p';
      },
    });
    s.scheduleTask({ id: 'escapes', run: (ctx) => (escapes++, ctx.spawn([{ id: 'lost', dependencies: ['nowhere'], run: () => 1 }])) });
    await s.onIdle();
    expect(errors.every((e) => e instanceof TaskSchedulingError)).toBe(true);
    expect(errors.map((e) => [(e as TaskSchedulingError).field, (e as Error).message])).toEqual([
      ['spawn[1].dependencies[1]', 'spawn[1].dependencies[1]: task "a" depends on unknown task "nope"'],
      ['spawn[0].dependencies', 'spawn[0].dependencies: cycle x -> y -> x'],
      ['spawn[3].dependencies', 'spawn[3].dependencies: task "d4" is 3 dependencies deep, more than maxDependencyDepth 2 (chain d4 -> d3 -> d2 -> d1)'],
      ['spawn[1].race[1].dependencies', 'spawn[1].race[1].dependencies: task "r1" depends on unknown task "nope"'],
    ]);
    for (const id of ['ok', 'a', 'x', 'y', 'd1', 'd2', 'd3', 'd4', 'solo', 'r', 'r0', 'r1', 'lost']) expect(s.hasTask(id)).toBe(false);
    expect(s.getTask('p')).toMatchObject({ status: 'completed', children: [] });
    // The same spawn would be refused again: no retry.
    expect(escapes).toBe(1);
    expect(s.getTask('escapes')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(s.getTask('escapes').error).toBeInstanceOf(TaskSchedulingError);
  });

  it('fails the parent at once, with retries left, when its work lets a refused spawn escape; a caught one changes nothing', async () => {
    const s = createScheduler({ maxWorkers: 1, maxChildren: 1, ...noResources });
    const two = [{ id: 'a', run: () => 1 }, { id: 'b', run: () => 2 }];
    let caughtRuns = 0;
    s.scheduleTask({ id: 'escapes', retry: { attempts: 4, backoffMs: 0 }, run: (ctx) => ctx.spawn(two) });
    s.scheduleTask({
      id: 'catches',
      retry: { attempts: 2, backoffMs: 0 },
      run: (ctx) => {
        caughtRuns++;
        try {
          ctx.spawn([{ id: 'c', run: () => 3 }, { id: 'd', run: () => 4 }]);
        } catch {
          throw new Error('gave up after a refusal');
        }
      },
    });
    await s.onIdle();
    expect(s.getTask('escapes')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(s.getTask('escapes').error).toBeInstanceOf(TaskSchedulingError);
    expect(s.getTask('escapes').error?.message).toBe('task "escapes" cannot spawn 2 children: it has 0 and maxChildren is 1');
    // Its own error, not the refusal: retried as any failure.
    expect(s.getTask('catches')).toMatchObject({ status: 'failed', attempts: 2 });
    expect(caughtRuns).toBe(2);
    for (const id of ['a', 'b', 'c', 'd']) expect(s.hasTask(id)).toBe(false);
  });

  it('refuses a spawn after the parent ended and from a cancelled parent', async () => {
    const s = createScheduler({ ...noResources });
    let late: TaskContext | undefined;
    const work = manualWork();
    s.scheduleTask({ id: 'ended', run: (ctx) => void (late = ctx) });
    s.scheduleTask({ id: 'cancelled', run: work.run });
    await settle();
    s.cancelTask('cancelled');
    await s.onIdle();
    expect(() => late?.spawn([{ run: () => 1 }])).toThrow('task "ended" cannot spawn children: its attempt 1 is over (the task is completed)');
    expect(() => work.calls[0]?.spawn([{ run: () => 1 }])).toThrow('(the task is cancelled)');
    expect(s.listTasks()).toHaveLength(2);
  });

  it('says a spawn from a timer the work left comes after its work returned, while the parent waits for its children', async () => {
    const s = createScheduler({ maxWorkers: 1, ...noResources });
    const child = manualWork();
    let late: TaskContext | undefined;
    s.scheduleTask({ id: 'split', run: (ctx) => ((late = ctx), ctx.spawn([{ id: 'a', run: child.run }]), 'split') });
    await settle();
    expect(s.getTask('split').pendingReason).toBe('children');
    expect(() => late?.spawn([{ id: 'b', run: () => 1 }])).toThrow(
      'task "split" cannot spawn children: its attempt 1 is over (its work returned; it waits for its children)',
    );
    child.resolve('A');
    await s.onIdle();
    expect(s.hasTask('b')).toBe(false);
  });
});

describe('race', () => {
  it('completes with the first alternative to complete, names the winner and cancels the others at once', async () => {
    const s = createScheduler({ maxWorkers: 4, ...noResources });
    const slow = manualWork();
    const fast = manualWork();
    const id = s.scheduleTask({ id: 'goal', race: [{ id: 'z3', run: slow.run }, { run: fast.run, priority: 'high' }, { run: slow.run }] });
    expect(id).toBe('goal');
    await settle();
    expect(s.getTask('goal')).toMatchObject({ status: 'pending', pendingReason: 'children', children: ['z3', 'goal/1', 'goal/2'] });
    expect(s.explainTask('goal').summary).toBe('racing 3 of 3 alternatives: the first to complete wins');
    fast.resolve('proof');
    const record = await s.waitForTask('goal');
    expect(record).toMatchObject({ status: 'completed', result: 'proof', winner: 'goal/1' });
    expect(slow.calls.every((c) => c.signal.aborted)).toBe(true);
    expect(s.getTaskStatus('z3')).toBe('cancelled');
    expect(s.getTask('z3').error?.message).toContain('race "goal" was won by "goal/1"');
    // Their late results change nothing.
    slow.resolve('late', 1);
    slow.resolve('late', 2);
    await s.onIdle();
    expect(s.getTask('goal')).toMatchObject({ result: 'proof', winner: 'goal/1' });
  });

  it('fails only when every alternative failed, with each one\'s message', async () => {
    const s = createScheduler({ ...noResources, defaultRetry: { attempts: 1 } });
    s.scheduleTask({ id: 'goal', race: [{ run: () => Promise.reject(new Error('timeout in e')) }, { run: () => Promise.reject(new Error('gave up')) }] });
    const record = await s.waitForTask('goal');
    expect(record.status).toBe('failed');
    expect(record.error).toBeInstanceOf(RaceLostError);
    expect(record.error?.message).toBe('race "goal" failed: every alternative failed ("goal/0": timeout in e; "goal/1": gave up)');
  });

  it('waits for its dependencies before any alternative starts, and its dependents wait for it', async () => {
    const s = createScheduler({ ...noResources });
    const lemma = manualWork();
    const started: string[] = [];
    s.scheduleTasks([
      { id: 'lemma', run: lemma.run },
      { id: 'goal', dependencies: ['lemma'], race: [{ run: () => void started.push('a') }, { run: () => void started.push('b') }] },
      { id: 'qed', dependencies: ['goal'], run: () => 'qed' },
    ]);
    await settle();
    expect(started).toEqual([]);
    lemma.resolve('ok');
    expect((await s.waitForTask('qed')).status).toBe('completed');
    expect(started.length).toBeGreaterThanOrEqual(1);
  });

  it('leaves a race to its other alternatives when one is cancelled by hand, and fails it with each one\'s reason when every one ended so', async () => {
    const s = createScheduler({ maxWorkers: 3, ...noResources, defaultRetry: { attempts: 1 } });
    const work = manualWork();
    s.scheduleTask({ id: 'won', race: [{ id: 'w/slow', run: work.run }, { id: 'w/fast', run: work.run }] });
    s.scheduleTask({ id: 'lost', race: [{ id: 'l/a', run: () => new Promise(() => {}) }, { id: 'l/b', run: () => new Promise(() => {}) }] });
    s.scheduleTask({ id: 'after', dependencies: ['lost'], run: () => 'after' });
    await settle();
    s.cancelTask('w/slow', 'pruned');
    await settle();
    expect(s.getTask('won')).toMatchObject({ status: 'pending', pendingReason: 'children' });
    work.resolve('proof', 2);
    expect(await s.waitForTask('won')).toMatchObject({ status: 'completed', result: 'proof', winner: 'w/fast' });
    s.cancelTask('l/a', 'pruned');
    s.cancelTask('l/b', 'pruned');
    const lost = await s.waitForTask('lost');
    expect(lost.status).toBe('failed');
    expect(lost.error).toBeInstanceOf(RaceLostError);
    expect(lost.error?.message).toBe('race "lost" failed: every alternative failed ("l/a": task "l/a" was cancelled: pruned; "l/b": task "l/b" was cancelled: pruned)');
    expect(s.getTaskStatus('after')).toBe('failed');
    expect(s.getStats()).toMatchObject({ pending: 0, running: 0, completed: 2, failed: 2, cancelled: 3 });
    await s.stop({ graceMs: 0 });
  });

  it('refuses a race with fewer than two alternatives, or with work of its own, naming the field', () => {
    const s = createScheduler();
    expect(() => s.scheduleTask({ id: 'r', race: [{ run: () => 1 }] })).toThrow(/^task\.race: expected a list of at least two alternative task specs/);
    expect(() => s.scheduleTasks([{ id: 'ok', run: () => 1 }, { id: 'r', run: () => 1, race: [{ run: () => 1 }, { run: () => 2 }] }])).toThrow(/^tasks\[1\]\.run: expected nothing: a race has no work of its own/);
    expect(s.listTasks()).toEqual([]);
  });

  it('names the spec a taken id was given in, counting a race and its alternatives as one spec', async () => {
    const s = createScheduler({ maxWorkers: 1, ...noResources });
    s.scheduleTask({ id: 'taken', run: () => 1 });
    const race = (id: string, second = `${id}-b`) => ({ id, race: [{ id: `${id}-a`, run: () => 1 }, { id: second, run: () => 1 }] });
    const fieldOf = (schedule: () => unknown) => {
      try {
        schedule();
      } catch (error) {
        return [(error as TaskSchedulingError).field, (error as Error).message];
      }
      return undefined;
    };
    expect(fieldOf(() => s.scheduleTasks([race('r1'), { id: 'taken', run: () => 1 }]))).toEqual(['tasks[1].id', 'tasks[1].id: "taken" is already used by another task']);
    expect(fieldOf(() => s.scheduleTasks([{ id: 'fine', run: () => 1 }, race('r2', 'taken')]))).toEqual(['tasks[1].race[1].id', 'tasks[1].race[1].id: "taken" is already used by another task']);
    expect(fieldOf(() => s.scheduleTask(race('r3', 'taken')))).toEqual(['task.race[1].id', 'task.race[1].id: "taken" is already used by another task']);
    let spawned: unknown;
    let cycle: unknown;
    s.scheduleTask({
      id: 'p',
      run: (ctx) => {
        spawned = fieldOf(() => ctx.spawn([race('r4'), { id: 'taken', run: () => 1 }]));
        cycle = fieldOf(() => ctx.spawn([race('r5'), { id: 'c', dependencies: ['p'], run: () => 1 }]));
      },
    });
    await s.onIdle();
    expect(spawned).toEqual(['spawn[1].id', 'spawn[1].id: "taken" is already used by another task']);
    expect(cycle).toEqual(['spawn[1].dependencies[0]', 'child "c" of "p" cannot depend on "p": it is its parent, which waits for its children (a cycle through the parent)']);
  });

  it('refuses a race of more alternatives than maxChildren, saying how many it has', () => {
    const s = createScheduler({ maxChildren: 2 });
    expect(() => s.scheduleTask({ id: 'r', race: [{ run: () => 1 }, { run: () => 2 }, { run: () => 3 }] })).toThrow(
      'task.race: expected at most maxChildren (2) alternatives, received 3 (number)',
    );
    expect(s.listTasks()).toEqual([]);
  });
});
