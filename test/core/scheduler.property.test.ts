import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Scheduler } from '../../src/core/scheduler.js';
import type { TaskPriority, TaskStatus } from '../../src/types.js';
import { settle, simulatedScheduler } from '../support/harness.js';
import { queuedExecutor, type QueuedExecutor } from '../support/queuedExecutor.js';

const MAX_WORKERS = 3;
const CAPACITY = { cpu: 4, memory: 6 };
const FINAL: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/** The system under test plus what the model remembers. */
interface Real {
  scheduler: Scheduler;
  advance(ms: number): Promise<void>;
  /** Settlers of each task's attempts, by id, oldest first. */
  attempts: Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }[]>;
  violations: string[];
  /** With an executor that reports activity: its attempts wait until a Take command. */
  executor: QueuedExecutor | undefined;
  /** Dispatched tasks seen by the checks, summed: the state was exercised. */
  dispatchedSeen: number;
}

interface Model {
  ids: string[];
  finals: Map<string, TaskStatus>;
  next: number;
  paused: boolean;
  /** Tasks running or dispatched when the scheduler was paused: no other may start until it resumes. */
  runningAtPause: Set<string>;
}

function checkInvariants(real: Real, model: Model): void {
  const s = real.scheduler;
  const tasks = s.listTasks();
  const running = tasks.filter((t) => t.status === 'running');
  // A dispatched attempt holds its worker slot and resources as a running one does.
  const dispatched = tasks.filter((t) => t.pendingReason === 'dispatched');
  const holding = [...running, ...dispatched];
  expect(holding.length).toBeLessThanOrEqual(MAX_WORKERS);
  const stats = s.getStats();
  expect(stats.dispatched).toBe(dispatched.length);
  // Ready tasks in the policy's queue: waiting their turn, their resources, or the end of a pause.
  expect(stats.queued).toBe(s.getQueue(Number.MAX_SAFE_INTEGER).length);
  expect(stats.queued).toBe(tasks.filter((t) => t.pendingReason === 'queued' || t.pendingReason === 'resources' || t.pendingReason === 'paused').length);
  if (real.executor === undefined) expect(dispatched).toEqual([]);
  else expect([...real.executor.waiting].sort()).toEqual(dispatched.map((t) => t.id).sort());
  for (const task of dispatched) expect(task.startedAt).toBeUndefined();
  real.dispatchedSeen += dispatched.length;
  // Nothing is dropped here (maxFinishedRecords is large), so the counters equal the records.
  for (const status of ['pending', 'running', ...FINAL] as const) {
    expect(stats[status]).toBe(tasks.filter((t) => t.status === status).length);
  }
  for (const [name, capacity] of Object.entries(CAPACITY)) {
    const held = holding.reduce((sum, t) => sum + (t.resources[name] ?? 0), 0);
    expect(stats.resources[name]?.used).toBe(held);
    expect(held).toBeLessThanOrEqual(capacity);
    expect((stats.resources[name]?.used ?? 0) + (stats.resources[name]?.reserved ?? 0)).toBeLessThanOrEqual(capacity);
  }
  for (const task of tasks) {
    const final = model.finals.get(task.id);
    if (final !== undefined) expect(task.status).toBe(final);
    if (FINAL.includes(task.status)) model.finals.set(task.id, task.status);
  }
  // A waiting task's reason follows pause and resume, whether it has an actor or is dormant.
  const reasons = new Set(tasks.filter((t) => t.status === 'pending').map((t) => t.pendingReason));
  if (model.paused) {
    expect(reasons.has('queued')).toBe(false);
    expect(reasons.has('resources')).toBe(false);
    expect(holding.filter((t) => !model.runningAtPause.has(t.id))).toEqual([]);
  } else expect(reasons.has('paused')).toBe(false);
  expect(real.violations).toEqual([]);
}

class ScheduleBatch implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly specs: { priority: TaskPriority; cpu: number; memory: number; deps: number[]; timeoutMs: number; attempts: number }[],
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const batch = this.specs.map((spec) => {
      const id = `t${model.next++}`;
      const dependencies = [...new Set(spec.deps.filter((d) => d < model.ids.length).map((d) => model.ids[d] as string))];
      return {
        id,
        priority: spec.priority,
        dependencies,
        resources: { cpu: spec.cpu, memory: spec.memory },
        timeoutMs: spec.timeoutMs,
        retry: { attempts: spec.attempts, backoffMs: 5 },
        run: () =>
          new Promise((resolve, reject) => {
            real.attempts.set(id, [...(real.attempts.get(id) ?? []), { resolve, reject }]);
          }),
      };
    });
    real.scheduler.scheduleTasks(batch);
    model.ids.push(...batch.map((t) => t.id));
    await settle();
    checkInvariants(real, model);
  }
  toString = () => `schedule(${this.specs.length})`;
}

class Settle implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number, readonly succeed: boolean) {}
  check = (model: Model) => model.ids.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const running = real.scheduler.listTasks().filter((t) => t.status === 'running');
    const target = running[this.pick % Math.max(1, running.length)];
    if (target) {
      const attempt = real.attempts.get(target.id)?.at(-1);
      if (this.succeed) attempt?.resolve(`done ${target.id}`);
      else attempt?.reject(new Error(`failed ${target.id}`));
    }
    await settle();
    checkInvariants(real, model);
  }
  toString = () => `${this.succeed ? 'succeed' : 'fail'}(${this.pick})`;
}

class Cancel implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (model: Model) => model.ids.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const id = model.ids[this.pick % model.ids.length] as string;
    const before = real.scheduler.getTaskStatus(id);
    const cancelled = real.scheduler.cancelTask(id);
    expect(cancelled).toBe(before === 'pending' || before === 'running');
    if (cancelled) expect(real.scheduler.getTaskStatus(id)).toBe('cancelled');
    await settle();
    checkInvariants(real, model);
  }
  toString = () => `cancel(${this.pick})`;
}

class ChangePriority implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number, readonly priority: TaskPriority) {}
  check = (model: Model) => model.ids.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const id = model.ids[this.pick % model.ids.length] as string;
    const before = real.scheduler.getTask(id);
    // A dispatched task (its job handed out) takes no change, as one that started.
    expect(real.scheduler.updateTaskPriority(id, this.priority)).toBe(before.status === 'pending' && before.pendingReason !== 'dispatched');
    const queued = real.scheduler.getQueue(1000).map((t) => t.id);
    expect(new Set(queued).size).toBe(queued.length);
    await settle();
    checkInvariants(real, model);
  }
  toString = () => `priority(${this.pick}, ${this.priority})`;
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    await real.advance(this.ms);
    checkInvariants(real, model);
  }
  toString = () => `advance(${this.ms})`;
}

class TogglePause implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    if (model.paused) real.scheduler.resume();
    else {
      model.runningAtPause = new Set(real.scheduler.listTasks().filter((t) => t.status === 'running' || t.pendingReason === 'dispatched').map((t) => t.id));
      real.scheduler.pause();
    }
    model.paused = !model.paused;
    await settle();
    checkInvariants(real, model);
  }
  toString = () => 'togglePause';
}

/** A worker takes a waiting attempt (with an executor that reports activity; else nothing happens). */
class Take implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const waiting = real.executor?.waiting ?? [];
    const id = waiting[this.pick % Math.max(1, waiting.length)];
    if (id !== undefined) {
      real.executor?.take(id);
      expect(real.scheduler.getTask(id).status).toBe('running');
    }
    await settle();
    checkInvariants(real, model);
  }
  toString = () => `take(${this.pick})`;
}

const priority = fc.constantFrom<TaskPriority>(1, 2, 3, 4, 5);
const commands = fc.commands(
  [
    fc
      .array(
        fc.record({
          priority,
          cpu: fc.integer({ min: 0, max: 4 }),
          memory: fc.integer({ min: 0, max: 6 }),
          deps: fc.array(fc.nat({ max: 30 }), { maxLength: 3 }),
          timeoutMs: fc.constantFrom(0, 20, 200),
          attempts: fc.integer({ min: 1, max: 3 }),
        }),
        { minLength: 1, maxLength: 5 },
      )
      .map((specs) => new ScheduleBatch(specs)),
    fc.tuple(fc.nat(), fc.boolean()).map(([pick, ok]) => new Settle(pick, ok)),
    fc.nat().map((pick) => new Cancel(pick)),
    fc.tuple(fc.nat(), priority).map(([pick, p]) => new ChangePriority(pick, p)),
    fc.integer({ min: 1, max: 100 }).map((ms) => new Advance(ms)),
    fc.constant(new TogglePause()),
    fc.nat().map((pick) => new Take(pick)),
  ],
  { maxCommands: 40 },
);

describe('createScheduler (model-based property)', () => {
  it('keeps every invariant under random schedule/cancel/priority/succeed/fail/time/take sequences, and finishes every task', async () => {
    const outcomes = new Map<TaskStatus, number>();
    let dispatchedSeen = 0;
    await fc.assert(
      // 0: every waiting task dormant; 3: some with actors, some without; 10,000: all with actors.
      // With the inline executor, or one whose attempts wait for a worker (pending.dispatched).
      fc.asyncProperty(commands, fc.constantFrom(0, 3, 10_000), fc.boolean(), async (cmds, liveActorLimit, reportsActive) => {
        const executor = reportsActive ? queuedExecutor() : undefined;
        const { scheduler, advance } = simulatedScheduler({
          ...(executor === undefined ? {} : { executor }),
          liveActorLimit,
          maxWorkers: MAX_WORKERS,
          resources: CAPACITY,
          maxFinishedRecords: 10_000,
          maxDependencyDepth: 50,
          dependencyTimeoutMs: 0,
        });
        const real: Real = { scheduler, advance, attempts: new Map(), violations: [], executor, dispatchedSeen: 0 };
        scheduler.events.on('task:started', ({ task }) => {
          for (const dep of task.dependencies) {
            const status = scheduler.getTaskStatus(dep);
            if (status !== 'completed') real.violations.push(`${task.id} started while ${dep} was ${status}`);
          }
        });
        const model: Model = { ids: [], finals: new Map(), next: 0, paused: false, runningAtPause: new Set() };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        dispatchedSeen += real.dispatchedSeen;
        // Once every piece of work settles, every task reaches a final state.
        if (model.paused) scheduler.resume();
        model.paused = false;
        for (let round = 0; round < 200 && scheduler.listTasks().some((t) => !FINAL.includes(t.status)); round++) {
          for (const id of executor?.waiting ?? []) executor?.take(id);
          await settle();
          for (const task of scheduler.listTasks()) {
            if (task.status === 'running') real.attempts.get(task.id)?.at(-1)?.resolve('drained');
          }
          await advance(50);
        }
        checkInvariants(real, model);
        expect(scheduler.listTasks().filter((t) => !FINAL.includes(t.status))).toEqual([]);
        for (const task of scheduler.listTasks()) outcomes.set(task.status, (outcomes.get(task.status) ?? 0) + 1);
        // Work of cancelled or timed-out attempts ignores its signal here; let it end.
        for (const attempts of real.attempts.values()) attempts.forEach((attempt) => attempt.resolve('late'));
        await scheduler.stop();
      }),
      { numRuns: 80 },
    );
    // The checks saw dispatched attempts: the new state was exercised, not only the inline path.
    expect(dispatchedSeen).toBeGreaterThan(0);
    // The generated runs did exercise every ending, so the invariants were checked on real work.
    expect([...outcomes.keys()].sort()).toEqual(['cancelled', 'completed', 'failed']);
  });
});
