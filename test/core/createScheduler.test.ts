import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import {
  DependencyError,
  ResourceAllocationError,
  TaskCancelledError,
  TaskSchedulingError,
  TaskTimeoutError,
} from '../../src/errors.js';
import { TaskPriority, type RetryOptions, type TaskSpec } from '../../src/types.js';
import { manualWork, settle, simulatedScheduler } from '../support/harness.js';

describe('createScheduler', () => {
  it('runs a task automatically and records its result (the seed never dispatched anything)', async () => {
    const s = createScheduler();
    const id = s.scheduleTask({ name: 'lemma', run: async () => 42 });
    const record = await s.waitForTask(id);
    expect(record).toMatchObject({ id, name: 'lemma', status: 'completed', result: 42, attempts: 1 });
    expect(record.startedAt).toBeTypeOf('number');
    expect(record.completedAt).toBeGreaterThanOrEqual(record.startedAt as number);
    await s.stop();
  });

  it('never starts work before scheduleTask has returned', async () => {
    const s = createScheduler();
    let started = false;
    s.scheduleTask({ run: () => void (started = true) });
    expect(started).toBe(false);
    await s.onIdle();
    expect(started).toBe(true);
  });

  it('runs the handler registered for the type when a task has no run', async () => {
    const s = createScheduler({ handlers: { proof_verification: async ({ config }) => `verified ${config['lemma']}` } });
    const id = s.scheduleTask({ type: 'proof_verification', config: { lemma: 'L1' } });
    expect((await s.waitForTask(id)).result).toBe('verified L1');
  });

  it('refuses a task with neither run nor handler, naming the type', () => {
    const s = createScheduler();
    expect(() => s.scheduleTask({ type: 'capability_check' })).toThrow(/no handler is registered for type "capability_check"/);
  });

  it('keeps a failed task failed: a throwing handler is never turned completed (seed finally bug)', async () => {
    const s = createScheduler({ defaultRetry: { attempts: 1 } });
    const id = s.scheduleTask({ run: () => { throw new Error('boom'); } });
    const record = await s.waitForTask(id);
    expect(record.status).toBe('failed');
    expect(record.error?.message).toBe('boom');
    await settle();
    expect(s.getTaskStatus(id)).toBe('failed');
  });

  it('throws for an unknown id instead of reporting it failed (seed bug)', () => {
    const s = createScheduler();
    expect(() => s.getTaskStatus('nope')).toThrow(TaskSchedulingError);
    expect(() => s.getTaskStatus('nope')).toThrow(/no task "nope"/);
    expect(() => s.cancelTask('nope')).toThrow(TaskSchedulingError);
  });

  it('cancel on a completed task changes nothing and returns false (seed bug)', async () => {
    const s = createScheduler();
    const id = s.scheduleTask({ run: async () => 1 });
    await s.waitForTask(id);
    expect(s.cancelTask(id)).toBe(false);
    expect(s.getTaskStatus(id)).toBe('completed');
  });

  it('pops the highest priority first, equal priorities in submission order (seed popped LOWEST first)', async () => {
    const s = createScheduler({ maxWorkers: 1 });
    const order: string[] = [];
    const gate = manualWork();
    s.scheduleTask({ id: 'gate', run: gate.run, priority: 'highest' });
    const specs = [
      ['low1', 'low'],
      ['high1', 'high'],
      ['lowest', 'lowest'],
      ['high2', 'high'],
      ['normal', 'normal'],
      ['low2', 'low'],
      ['high3', 'high'],
    ] as const;
    for (const [id, priority] of specs) s.scheduleTask({ id, priority, run: () => void order.push(id) });
    await settle();
    gate.resolve();
    await s.onIdle();
    expect(order).toEqual(['high1', 'high2', 'high3', 'normal', 'low1', 'low2', 'lowest']);
  });

  it('applies a priority change at once with no duplicate or lost entry (seed left stale entries)', async () => {
    const s = createScheduler({ maxWorkers: 1 });
    const runs: string[] = [];
    const gate = manualWork();
    s.scheduleTask({ id: 'gate', run: gate.run });
    await settle();
    for (const id of ['a', 'b', 'c']) s.scheduleTask({ id, priority: 'low', run: () => void runs.push(id) });
    expect(s.updateTaskPriority('c', TaskPriority.HIGHEST)).toBe(true);
    expect(s.updateTaskPriority('c', 'highest')).toBe(true);
    expect(s.updateTaskPriority('a', 'lowest')).toBe(true);
    expect(s.getQueue().map((t) => t.id)).toEqual(['c', 'b', 'a']);
    await settle();
    gate.resolve();
    await s.onIdle();
    expect(runs).toEqual(['c', 'b', 'a']);
    expect(s.updateTaskPriority('c', 'low')).toBe(false);
  });

  it('rejects a bad priority with the field, the expectation and what it received', () => {
    const s = createScheduler();
    expect(() => s.scheduleTask({ run: () => 1, priority: 'urgent' as never })).toThrow(
      'task.priority: expected 1-5 or one of lowest, low, normal, high, highest; received "urgent" (string)',
    );
  });

  it('refuses a task field it does not know, naming it and the field meant, and schedules nothing of the batch', () => {
    const s = createScheduler();
    let error: unknown;
    try {
      s.scheduleTasks([{ id: 'fine', run: () => 1 }, { id: 'typo', run: () => 1, timeout: 100 } as TaskSpec]);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(TaskSchedulingError);
    expect(error).toMatchObject({ field: 'tasks[1].timeout' });
    expect((error as Error).message).toMatch(/^tasks\[1\]\.timeout: unknown task field; expected one of id, name, type, .*\(did you mean "timeoutMs"\?\)$/);
    expect(s.hasTask('fine')).toBe(false);
    expect(() => s.scheduleTask({ id: 'r', run: () => 1, retry: { attempt: 2 } as RetryOptions })).toThrow(/^task\.retry\.attempt: unknown retry field; expected one of attempts, backoffMs, backoffFactor, maxBackoffMs \(did you mean "attempts"\?\)$/);
    expect(s.hasTask('r')).toBe(false);
  });

  it('never runs more than maxWorkers at once', async () => {
    const s = createScheduler({ maxWorkers: 3 });
    let running = 0;
    let peak = 0;
    const run = async (): Promise<void> => {
      running++;
      peak = Math.max(peak, running);
      await settle();
      running--;
    };
    s.scheduleTasks(Array.from({ length: 20 }, () => ({ run })));
    await s.onIdle();
    expect(peak).toBe(3);
  });

  describe('resources', () => {
    it('waits for busy resources instead of throwing, and releases them on every final state (seed bugs)', async () => {
      const s = createScheduler({ resources: { cpu: 2 }, maxWorkers: 4, defaultRetry: { attempts: 1 } });
      const first = manualWork();
      const a = s.scheduleTask({ id: 'a', resources: { cpu: 2 }, run: first.run });
      const b = s.scheduleTask({ id: 'b', resources: { cpu: 2 }, run: async () => { throw new Error('x'); } });
      const c = s.scheduleTask({ id: 'c', resources: { cpu: 1 }, run: async () => 'c' });
      await settle();
      expect(s.getTaskStatus(a)).toBe('running');
      expect(s.getTaskStatus(b)).toBe('pending');
      expect(s.explainTask(b).resources).toEqual({ cpu: { requested: 2, free: 0 } });
      first.resolve();
      await s.onIdle();
      expect(s.getTask(b).status).toBe('failed');
      expect(s.getTask(c).status).toBe('completed');
      expect(s.getStats().resources['cpu']).toEqual({ capacity: 2, used: 0, reserved: 0 });
    });

    it('releases resources of a cancelled running task', async () => {
      const s = createScheduler({ resources: { cpu: 1 } });
      const id = s.scheduleTask({ resources: { cpu: 1 }, run: manualWork().run });
      await settle();
      expect(s.getStats().resources['cpu']?.used).toBe(1);
      expect(s.cancelTask(id)).toBe(true);
      expect(s.getStats().resources['cpu']?.used).toBe(0);
    });

    it.each([
      [{ gpu: 1 }, 'task.resources.gpu: unknown resource; expected one of cpu, memory'],
      [{ cpu: -1 }, 'task.resources.cpu: expected a finite number >= 0, received -1 (number)'],
      [{ cpu: '2' }, 'task.resources.cpu: expected a finite number >= 0, received "2" (string)'],
      [{ cpu: 5 }, "task.resources.cpu: requested 5 but the pool's capacity is 4"],
    ])('refuses %j at scheduling with a ResourceAllocationError', (resources, message) => {
      const s = createScheduler({ resources: { cpu: 4, memory: 8 } });
      expect(() => s.scheduleTask({ run: () => 1, resources: resources as never })).toThrow(ResourceAllocationError);
      expect(() => s.scheduleTask({ run: () => 1, resources: resources as never })).toThrow(message);
      expect(s.listTasks()).toEqual([]);
    });

    it('does not starve a large high-priority task behind a stream of small low-priority ones', async () => {
      const s = createScheduler({ resources: { cpu: 4 }, maxWorkers: 4 });
      const small = Array.from({ length: 4 }, () => manualWork());
      small.forEach((w, i) => s.scheduleTask({ id: `s${i}`, priority: 'low', resources: { cpu: 1 }, run: w.run }));
      await settle();
      const big = s.scheduleTask({ id: 'big', priority: 'high', resources: { cpu: 4 }, run: async () => 'big' });
      const late = s.scheduleTask({ id: 'late', priority: 'low', resources: { cpu: 1 }, run: async () => 'late' });
      small[0]?.resolve();
      await settle();
      // One cpu is free, but it is reserved for the waiting high-priority task.
      expect(s.getTaskStatus(late)).toBe('pending');
      expect(s.getStats().resources['cpu']).toEqual({ capacity: 4, used: 3, reserved: 1 });
      expect(s.explainTask(late).ahead).toEqual(['big']);
      expect(s.getTask(big).pendingReason).toBe('resources');
      expect(s.getTask(late).pendingReason).toBe('resources');
      small.slice(1).forEach((w) => w.resolve());
      await s.onIdle();
      expect(s.getTask(big).startedAt).toBeLessThanOrEqual(s.getTask(late).startedAt as number);
      expect(s.getTask(late).status).toBe('completed');
    });

    it.each([
      [true, ['quick']],
      [false, []],
    ])('with backfill %s, lets only a task that ends before the blocked one could start use reserved resources', async (backfill, started) => {
      const { scheduler: s, advance } = simulatedScheduler({ resources: { cpu: 4 }, policyOptions: { backfill } });
      s.scheduleTask({ id: 'holder', resources: { cpu: 3 }, estimateMs: 100, run: manualWork().run, timeoutMs: 0 });
      await advance(0);
      s.scheduleTasks([
        { id: 'big', priority: 'high', resources: { cpu: 4 }, run: manualWork().run },
        { id: 'quick', priority: 'low', resources: { cpu: 1 }, estimateMs: 50, run: manualWork().run },
        { id: 'slow', priority: 'low', resources: { cpu: 1 }, estimateMs: 500, run: manualWork().run },
      ]);
      await advance(0);
      const running = s.listTasks().filter((t) => t.status === 'running' && t.id !== 'holder').map((t) => t.id);
      expect(running).toEqual(started);
    });
  });

  describe('dependencies', () => {
    it('starts a task only after all its dependencies completed; batches may refer forward', async () => {
      const s = createScheduler({ maxWorkers: 4 });
      const order: string[] = [];
      const run = (id: string) => async () => void order.push(id);
      s.scheduleTasks([
        { id: 'd', dependencies: ['b', 'c'], run: run('d') },
        { id: 'b', dependencies: ['a'], run: run('b') },
        { id: 'c', dependencies: ['a'], run: run('c') },
        { id: 'a', run: run('a') },
      ]);
      expect(s.explainTask('d').dependencies).toEqual(['b', 'c']);
      await s.onIdle();
      expect(order[0]).toBe('a');
      expect(order[3]).toBe('d');
    });

    it('fails a dependent with a DependencyError naming the failed upstream; its work never runs', async () => {
      const s = createScheduler({ defaultRetry: { attempts: 1 } });
      let ran = false;
      s.scheduleTasks([
        { id: 'up', run: async () => { throw new Error('nope'); } },
        { id: 'down', dependencies: ['up'], run: () => void (ran = true) },
        { id: 'further', dependencies: ['down'], run: () => void (ran = true) },
      ]);
      await s.onIdle();
      const down = s.getTask('down');
      expect(down.status).toBe('failed');
      expect(down.error).toBeInstanceOf(DependencyError);
      expect(down.error?.message).toContain('dependency "up" failed');
      expect(s.getTask('further').status).toBe('failed');
      expect(ran).toBe(false);
    });

    it('cancels a dependent when its upstream is cancelled', async () => {
      const s = createScheduler();
      let ran = false;
      s.scheduleTasks([
        { id: 'up', run: manualWork().run },
        { id: 'down', dependencies: ['up'], run: () => void (ran = true) },
      ]);
      await settle();
      s.cancelTask('up');
      await settle();
      expect(s.getTaskStatus('down')).toBe('cancelled');
      expect(ran).toBe(false);
    });

    it('fails a task scheduled later on an upstream that already failed', async () => {
      const s = createScheduler({ defaultRetry: { attempts: 1 } });
      const up = s.scheduleTask({ run: async () => { throw new Error('x'); } });
      await s.onIdle();
      const late = s.scheduleTask({ dependencies: [up], run: () => 1 });
      await settle();
      expect(s.getTaskStatus(late)).toBe('failed');
    });

    it('refuses a cycle, reporting its path, and schedules nothing of the batch', () => {
      const s = createScheduler();
      const error = (() => {
        try {
          s.scheduleTasks([
            { id: 'ok', run: () => 1 },
            { id: 'a', dependencies: ['b'], run: () => 1 },
            { id: 'b', dependencies: ['c'], run: () => 1 },
            { id: 'c', dependencies: ['a'], run: () => 1 },
          ]);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(DependencyError);
      expect((error as DependencyError).message).toBe('dependencies: cycle a -> b -> c -> a');
      expect((error as DependencyError).path).toEqual(['a', 'b', 'c', 'a']);
      expect(s.listTasks()).toEqual([]);
      expect(s.hasTask('ok')).toBe(false);
    });

    it('refuses an unknown dependency and a chain deeper than maxDependencyDepth (seed ignored it)', () => {
      const s = createScheduler({ maxDependencyDepth: 2 });
      expect(() => s.scheduleTask({ id: 'x', dependencies: ['ghost'], run: () => 1 })).toThrow(
        'dependencies: task "x" depends on unknown task "ghost"',
      );
      expect(() =>
        s.scheduleTasks([
          { id: 'a', run: () => 1 },
          { id: 'b', dependencies: ['a'], run: () => 1 },
          { id: 'c', dependencies: ['b'], run: () => 1 },
          { id: 'd', dependencies: ['c'], run: () => 1 },
        ]),
      ).toThrow('dependencies: task "d" is 3 dependencies deep, more than maxDependencyDepth 2 (chain d -> c -> b -> a)');
      expect(s.listTasks()).toEqual([]);
    });

    it('refuses a duplicate id without touching the existing task', async () => {
      const s = createScheduler();
      const work = manualWork();
      s.scheduleTask({ id: 'a', run: work.run });
      expect(() => s.scheduleTasks([{ id: 'b', run: () => 1 }, { id: 'a', run: () => 1 }])).toThrow(
        'tasks[1].id: "a" is already used by another task',
      );
      expect(s.hasTask('b')).toBe(false);
      await settle();
      work.resolve('kept');
      expect((await s.waitForTask('a')).result).toBe('kept');
    });

    it('fails a task whose dependencies do not finish within dependencyTimeoutMs', async () => {
      const { scheduler: s, advance } = simulatedScheduler({ dependencyTimeoutMs: 1000 });
      s.scheduleTasks([
        { id: 'slow', run: manualWork().run, timeoutMs: 0 },
        { id: 'waiter', dependencies: ['slow'], run: () => 1 },
      ]);
      await advance(999);
      expect(s.getTaskStatus('waiter')).toBe('pending');
      await advance(1);
      expect(s.getTaskStatus('waiter')).toBe('failed');
      expect(s.getTask('waiter').error?.message).toContain('waited more than 1000 ms for its dependencies (still waiting on slow)');
    });
  });

  describe('timeouts and retries', () => {
    it('times out an attempt, aborts its signal, and ignores a late resolution (seed ignored timeout)', async () => {
      const { scheduler: s, advance } = simulatedScheduler({ defaultRetry: { attempts: 1 } });
      const work = manualWork();
      const id = s.scheduleTask({ run: work.run, timeoutMs: 500 });
      await advance(499);
      expect(s.getTaskStatus(id)).toBe('running');
      await advance(1);
      expect(s.getTaskStatus(id)).toBe('failed');
      expect(s.getTask(id).error).toBeInstanceOf(TaskTimeoutError);
      expect(work.calls[0]?.signal.aborted).toBe(true);
      expect(work.calls[0]?.signal.reason).toBeInstanceOf(TaskTimeoutError);
      work.resolve('too late');
      await settle();
      expect(s.getTask(id)).toMatchObject({ status: 'failed', result: undefined });
    });

    it('retries with backoff: retry_attempts 3 means four runs in all (seed ignored it)', async () => {
      const { scheduler: s, advance } = simulatedScheduler({
        defaultRetry: { attempts: 4, backoffMs: 100, backoffFactor: 2 },
      });
      const retrying: number[] = [];
      s.events.on('task:retrying', (e) => retrying.push(e.delayMs));
      const work = manualWork();
      const id = s.scheduleTask({ run: work.run });
      for (let attempt = 1; attempt <= 3; attempt++) {
        await settle();
        work.reject(new Error(`fail ${attempt}`));
        await settle();
        expect(s.getTask(id)).toMatchObject({ status: 'pending', pendingReason: 'backoff', attempts: attempt });
        await advance(100 * 2 ** (attempt - 1));
      }
      expect(work.calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
      work.reject(new Error('fail 4'));
      await settle();
      expect(s.getTask(id)).toMatchObject({ status: 'failed', attempts: 4 });
      expect(s.getTask(id).error?.message).toBe('fail 4');
      expect(retrying).toEqual([100, 200, 400]);
    });

    it('gives the slot of an attempt waiting to retry to the next queued task at once', async () => {
      const { scheduler: s, advance } = simulatedScheduler({ maxWorkers: 1, defaultRetry: { attempts: 2, backoffMs: 1000 } });
      const flaky = manualWork();
      s.scheduleTask({ id: 'flaky', run: flaky.run });
      s.scheduleTask({ id: 'next', run: manualWork().run });
      await advance(0);
      flaky.reject(new Error('once'));
      await advance(0);
      expect(s.getTask('flaky').pendingReason).toBe('backoff');
      expect(s.getTaskStatus('next')).toBe('running');
    });

    it('retries after a timeout and ignores the timed-out attempt when it resolves later', async () => {
      const { scheduler: s, advance } = simulatedScheduler({ defaultRetry: { attempts: 2, backoffMs: 10 } });
      const work = manualWork();
      const id = s.scheduleTask({ run: work.run, timeoutMs: 50 });
      await advance(50);
      await advance(10);
      expect(work.calls).toHaveLength(2);
      work.resolve('stale', 1);
      await settle();
      expect(s.getTaskStatus(id)).toBe('running');
      work.resolve('fresh', 2);
      expect((await s.waitForTask(id)).result).toBe('fresh');
    });
  });

  describe('cancellation', () => {
    it('aborts running work with a TaskCancelledError and ignores its later result', async () => {
      const s = createScheduler();
      const work = manualWork();
      const id = s.scheduleTask({ run: work.run });
      await settle();
      expect(s.cancelTask(id, 'user asked')).toBe(true);
      expect(s.getTaskStatus(id)).toBe('cancelled');
      expect(work.calls[0]?.signal.reason).toBeInstanceOf(TaskCancelledError);
      work.resolve('late');
      await settle();
      expect(s.getTask(id)).toMatchObject({ status: 'cancelled', result: undefined });
      expect(s.cancelTask(id)).toBe(false);
    });

    it('cancels a pending task so that it never runs', async () => {
      const s = createScheduler({ maxWorkers: 1 });
      let ran = false;
      s.scheduleTask({ run: manualWork().run });
      const id = s.scheduleTask({ run: () => void (ran = true) });
      expect(s.cancelTask(id)).toBe(true);
      await settle();
      expect(ran).toBe(false);
    });
  });

  describe('control', () => {
    it('pauses dispatch and resumes it; explainTask says why', async () => {
      const s = createScheduler();
      s.pause();
      const id = s.scheduleTask({ run: async () => 1 });
      await settle();
      expect(s.getTask(id).pendingReason).toBe('paused');
      expect(s.explainTask(id)).toMatchObject({ paused: true, summary: 'the scheduler is paused' });
      s.resume();
      await s.onIdle();
      expect(s.getTaskStatus(id)).toBe('completed');
    });

    it('dispatches by hand with autoStart false', async () => {
      const s = createScheduler({ autoStart: false });
      const a = s.scheduleTasks([{ id: 'a', run: async () => 1 }, { id: 'b', dependencies: ['a'], run: async () => 2 }]);
      await settle();
      expect(s.getTaskStatus('a')).toBe('pending');
      expect(s.executeTask('b')).toBe(false);
      expect(s.executeTask('a')).toBe(true);
      await s.waitForTask('a');
      expect(s.executeTask('b')).toBe(true);
      expect((await s.waitForTask('b')).result).toBe(2);
      expect(a).toEqual(['a', 'b']);
    });

    it('refuses a manual start when every worker is busy or the resources are short', async () => {
      const s = createScheduler({ autoStart: false, maxWorkers: 1, resources: { cpu: 2 } });
      s.scheduleTasks([
        { id: 'hog', resources: { cpu: 2 }, run: manualWork().run },
        { id: 'other', resources: { cpu: 1 }, run: async () => 1 },
      ]);
      expect(s.executeTask('hog')).toBe(true);
      expect(s.executeTask('other')).toBe(false);
      expect(s.explainTask('other')).toMatchObject({ workersBusy: true, resources: { cpu: { requested: 1, free: 0 } } });
      expect(s.getTaskStatus('other')).toBe('pending');
    });

    it('explains a task waiting behind busy workers and tasks ahead of it', async () => {
      const s = createScheduler({ maxWorkers: 1 });
      s.scheduleTask({ id: 'busy', run: manualWork().run });
      await settle();
      s.scheduleTasks([{ id: 'first', priority: 'high', run: () => 1 }, { id: 'me', run: () => 1 }]);
      await settle();
      expect(s.explainTask('me')).toMatchObject({
        workersBusy: true,
        ahead: ['first'],
        aheadCount: 1,
        summary: 'all workers are busy; 1 ready task(s) ahead',
      });
    });

    it('stop cancels everything live, waits for running work, and refuses new tasks', async () => {
      const s = createScheduler();
      const work = manualWork();
      const running = s.scheduleTask({ run: async (ctx) => { await work.run(ctx); } });
      const waiting = s.scheduleTask({ dependencies: [running], run: () => 1 });
      await settle();
      const stopped = s.stop();
      work.resolve();
      await stopped;
      expect(s.getTaskStatus(running)).toBe('cancelled');
      expect(s.getTaskStatus(waiting)).toBe('cancelled');
      expect(() => s.scheduleTask({ run: () => 1 })).toThrow('the scheduler is stopped');
    });

    it('emits lifecycle events in order and idle at the end', async () => {
      const s = createScheduler({ defaultRetry: { attempts: 1 } });
      const seen: string[] = [];
      s.events.on('*', (type, event) => seen.push(`${String(type)}:${(event as { task?: { id: string } } | undefined)?.task?.id ?? ''}`));
      s.scheduleTask({ id: 'ok', run: async () => 1 });
      await s.onIdle();
      expect(seen).toEqual(['task:scheduled:ok', 'task:started:ok', 'task:completed:ok', 'idle:']);
    });

    it('keeps at most maxFinishedRecords finished records and says so for a dropped id', async () => {
      const s = createScheduler({ maxFinishedRecords: 2 });
      const ids = s.scheduleTasks(Array.from({ length: 10 }, () => ({ run: async () => 1 })));
      await s.onIdle();
      expect(s.listTasks().length).toBeLessThanOrEqual(3);
      expect(() => s.getTask(ids[0] as string)).toThrow('finished and dropped past maxFinishedRecords');
    });

    it('keeps running tasks when a listener throws, and reports the error on `error`', async () => {
      const s = createScheduler({ maxWorkers: 2 });
      const errors: string[] = [];
      s.events.on('error', ({ error }) => errors.push(error.message));
      s.events.on('task:started', ({ task }) => {
        if (task.id === 'a') throw new Error('listener broke');
      });
      s.scheduleTasks([{ id: 'a', run: async () => 'a' }, { id: 'b', run: async () => 'b' }]);
      await s.onIdle();
      expect(s.getTaskStatus('a')).toBe('completed');
      expect(s.getTaskStatus('b')).toBe('completed');
      expect(errors).toEqual(['listener broke']);
    });

    it('lets a listener call back into the scheduler', async () => {
      const s = createScheduler();
      const children: string[] = [];
      s.events.on('task:completed', ({ task }) => {
        if (task.id === 'parent') children.push(s.scheduleTask({ id: 'child', run: async () => 'c' }));
      });
      s.scheduleTask({ id: 'parent', run: async () => 'p' });
      await s.onIdle();
      await settle();
      await s.onIdle();
      expect(children).toEqual(['child']);
      expect(s.getTask('child').status).toBe('completed');
    });
  });

  it('validates options, naming the field', () => {
    expect(() => createScheduler({ maxWorkers: 0 })).toThrow('options.maxWorkers: expected an integer >= 1, received 0 (number)');
    expect(() => createScheduler({ policy: 'random' as never })).toThrow(/options.policy: expected one of priority, fifo/);
    expect(() => createScheduler({ resources: { cpu: -2 } })).toThrow('resources.cpu: expected a finite number >= 0, received -2 (number)');
    expect(() => createScheduler({ resources: { cpu: -2 } })).toThrow(ResourceAllocationError);
  });
});
