import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Dag } from '../../src/internal/Dag.js';
import { InvalidDependencyError, TaskSchedulingError, UpstreamFailedError } from '../../src/errors.js';
import {
  abandonedUpstream,
  attemptEndOf,
  checkBatch,
  dependentEvent,
  nextDispatch,
  shadowTime,
  SCAN_LIMIT,
  type DispatchView,
  type RunningEstimate,
} from '../../src/core/decisions.js';
import type { NormalizedTask } from '../../src/core/normalizeTaskSpec.js';
import type { QueuedTask, TaskPriority } from '../../src/types.js';

// ---------------------------------------------------------------- helpers

let seq = 0;
function task(id: string, resources: Record<string, number> = {}, estimateMs?: number): QueuedTask {
  seq++;
  return { id, priority: 3, seq, readyAt: 0, estimateMs, group: 'default', resources };
}

interface ViewOptions {
  freeWorkers?: number;
  backfill?: boolean;
  now?: number;
  running?: RunningEstimate[];
}

/** A view over `tasks` in dispatch order; pools missing from `free` have nothing free. */
function viewOf(tasks: readonly QueuedTask[], free: Record<string, number>, options: ViewOptions = {}): DispatchView {
  return {
    freeWorkers: options.freeWorkers ?? 4,
    head: () => tasks[0],
    ordered: (limit) => tasks.slice(0, limit),
    free: (name) => free[name] ?? 0,
    backfill: options.backfill ?? false,
    now: options.now ?? 0,
    running: () => options.running ?? [],
  };
}

function fitsIn(request: Readonly<Record<string, number>>, free: Record<string, number>, reserved: Map<string, number> = new Map()): boolean {
  return Object.entries(request).every(([name, amount]) => amount <= (free[name] ?? 0) - (reserved.get(name) ?? 0));
}

function sumOf(tasks: readonly QueuedTask[]): Map<string, number> {
  const sum = new Map<string, number>();
  for (const t of tasks) for (const [name, amount] of Object.entries(t.resources)) sum.set(name, (sum.get(name) ?? 0) + amount);
  return sum;
}

const POOLS = ['cpu', 'memory', 'gpu'] as const;

const requestArb = fc.record({ cpu: fc.integer({ min: 1, max: 8 }), memory: fc.integer({ min: 1, max: 8 }), gpu: fc.integer({ min: 1, max: 2 }) }, { requiredKeys: [] });
const freeArb = fc.record({ cpu: fc.integer({ min: 0, max: 8 }), memory: fc.integer({ min: 0, max: 8 }), gpu: fc.integer({ min: 0, max: 2 }) });
const queueArb = fc
  .array(fc.record({ resources: requestArb, estimateMs: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }), priority: fc.integer({ min: 1, max: 5 }) }), { maxLength: 30 })
  .map((specs) =>
    specs.map(
      (spec, i): QueuedTask => ({
        id: `t${i}`,
        priority: spec.priority as TaskPriority,
        seq: i,
        readyAt: 0,
        estimateMs: spec.estimateMs,
        group: 'default',
        resources: spec.resources,
      }),
    ),
  );
const runningArb = fc.array(
  fc.record({
    startedAt: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
    estimateMs: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
    resources: requestArb,
  }),
  { maxLength: 4 },
);
const viewOptionsArb = fc.record({
  freeWorkers: fc.integer({ min: 0, max: 6 }),
  backfill: fc.boolean(),
  now: fc.integer({ min: 0, max: 200 }),
  running: runningArb,
});

/**
 * Cases every run of the properties below starts with, so that each branch they count is taken
 * whatever the random ones do: a head that does not fit passed over for one that does (a start
 * with a reservation), and a queue where nothing fits (a wait).
 */
const QUEUE_EXAMPLES: [QueuedTask[], { cpu: number; memory: number; gpu: number }, typeof viewOptionsArb extends fc.Arbitrary<infer T> ? T : never][] = [
  [[task('t0', { gpu: 8 }), task('t1', { cpu: 1 })], { cpu: 2, memory: 8, gpu: 2 }, { freeWorkers: 2, backfill: false, now: 0, running: [] }],
  [[task('t0', { cpu: 8 }), task('t1', { cpu: 4 })], { cpu: 2, memory: 8, gpu: 2 }, { freeWorkers: 2, backfill: false, now: 0, running: [] }],
];

// ---------------------------------------------------------------- nextDispatch

describe('nextDispatch', () => {
  it('starts the head when its resources are free, passing over nothing', () => {
    const a = task('a', { cpu: 2 });
    const b = task('b', { cpu: 1 });
    expect(nextDispatch(viewOf([a, b], { cpu: 2 }))).toEqual({ kind: 'start', task: a, passedOver: [] });
  });

  it('is idle when no worker is free, even with a task that fits', () => {
    expect(nextDispatch(viewOf([task('a')], { cpu: 4 }, { freeWorkers: 0 }))).toEqual({ kind: 'idle' });
  });

  it('is idle when nothing is ready', () => {
    expect(nextDispatch(viewOf([], { cpu: 4 }))).toEqual({ kind: 'idle' });
  });

  it('starts a later task that fits once the blocked head has its request reserved, passing over the head', () => {
    const head = task('head', { cpu: 3 });
    const big = task('big', { cpu: 2 }); // fits free (2) but not free minus head's 3
    const small = task('small', { memory: 1 });
    const decision = nextDispatch(viewOf([head, big, small], { cpu: 2, memory: 4 }));
    expect(decision).toEqual({ kind: 'start', task: small, passedOver: [head, big] });
  });

  it('passes over exactly the head when the second task fits after the reservation', () => {
    const head = task('head', { cpu: 4 });
    const small = task('small', { memory: 2 });
    expect(nextDispatch(viewOf([head, small], { cpu: 1, memory: 2 }))).toEqual({ kind: 'start', task: small, passedOver: [head] });
  });

  it('waits when nothing fits, reserving the sum of the blocked requests, blocked in rank order', () => {
    const a = task('a', { cpu: 3 });
    const b = task('b', { cpu: 1, memory: 2 });
    const c = task('c', { memory: 1 });
    const decision = nextDispatch(viewOf([a, b, c], { cpu: 2, memory: 2 }));
    expect(decision.kind).toBe('wait');
    if (decision.kind !== 'wait') return;
    expect(decision.blocked.map((t) => t.id)).toEqual(['a', 'b', 'c']);
    expect(Object.fromEntries(decision.reserved)).toEqual({ cpu: 4, memory: 3 });
  });

  it(`looks at no more than SCAN_LIMIT (${SCAN_LIMIT}) ready tasks`, () => {
    const blockers = Array.from({ length: SCAN_LIMIT }, (_, i) => task(`blocked${i}`, { gpu: 1 }));
    const fitsButTooFar = task('far', { cpu: 1 });
    let asked = -1;
    const view = { ...viewOf([...blockers, fitsButTooFar], { cpu: 4, gpu: 0 }), ordered: (limit: number) => ((asked = limit), [...blockers, fitsButTooFar].slice(0, limit)) };
    const decision = nextDispatch(view);
    expect(asked).toBe(SCAN_LIMIT);
    expect(decision.kind).toBe('wait');
    if (decision.kind === 'wait') expect(decision.blocked).toHaveLength(SCAN_LIMIT);
    // one fewer blocker and the same task is within reach
    expect(nextDispatch(viewOf([...blockers.slice(1), fitsButTooFar], { cpu: 4, gpu: 0 }))).toMatchObject({ kind: 'start', task: fitsButTooFar });
  });

  describe('with backfill', () => {
    // head needs 4 cpu, 2 are free; the running task gives back 2 at 100 + 400 = 500 (the shadow time)
    const running: RunningEstimate[] = [{ startedAt: 100, estimateMs: 400, resources: { cpu: 2 } }];

    it('starts a task that does not fit after reservations but ends by the shadow time', () => {
      const head = task('head', { cpu: 4 });
      const quick = task('quick', { cpu: 2 }, 300);
      const decision = nextDispatch(viewOf([head, quick], { cpu: 2 }, { backfill: true, now: 200, running }));
      expect(decision).toEqual({ kind: 'start', task: quick, passedOver: [head] });
    });

    it('does not start a task that would end after the shadow time', () => {
      const head = task('head', { cpu: 4 });
      const slow = task('slow', { cpu: 2 }, 301);
      const decision = nextDispatch(viewOf([head, slow], { cpu: 2 }, { backfill: true, now: 200, running }));
      expect(decision).toMatchObject({ kind: 'wait', blocked: [head, slow] });
    });

    it('does not start the same quick task when backfill is off', () => {
      const head = task('head', { cpu: 4 });
      const quick = task('quick', { cpu: 2 }, 300);
      expect(nextDispatch(viewOf([head, quick], { cpu: 2 }, { backfill: false, now: 200, running })).kind).toBe('wait');
    });

    it('does not backfill a task without an estimate', () => {
      const head = task('head', { cpu: 4 });
      const unknown = task('unknown', { cpu: 2 });
      expect(nextDispatch(viewOf([head, unknown], { cpu: 2 }, { backfill: true, now: 200, running })).kind).toBe('wait');
    });

    it('does not backfill while a running task has no estimate', () => {
      const head = task('head', { cpu: 4 });
      const quick = task('quick', { cpu: 2 }, 1);
      const withUnknown = [...running, { startedAt: 0, estimateMs: undefined, resources: { memory: 1 } }];
      expect(nextDispatch(viewOf([head, quick], { cpu: 2 }, { backfill: true, now: 200, running: withUnknown })).kind).toBe('wait');
    });
  });

  // A request of 0 uses nothing, so no reservation can stand in its way; validateResources
  // accepts 0 ("a finite number >= 0"). nextDispatch compares 0 > free - reserved, which is true
  // as soon as reservations exceed the free amount, so the task is held back, while
  // explainTask (which clamps free at 0) reports it as not short of anything.
  it('starts a task asking for 0 of a pool that is over-reserved', () => {
    const head = task('head', { cpu: 5 });
    const zero = task('zero', { cpu: 0, memory: 1 });
    expect(nextDispatch(viewOf([head, zero], { cpu: 2, memory: 1 }))).toEqual({ kind: 'start', task: zero, passedOver: [head] });
  });

  it('starts only tasks whose request fits the free amounts (property)', () => {
    let starts = 0;
    fc.assert(
      fc.property(queueArb, freeArb, viewOptionsArb, (tasks, free, options) => {
        const decision = nextDispatch(viewOf(tasks, free, options));
        if (decision.kind !== 'start') return;
        starts++;
        expect(fitsIn(decision.task.resources, free)).toBe(true);
      }),
      { examples: QUEUE_EXAMPLES },
    );
    // The check above ran: some generated queues did start a task.
    expect(starts).toBeGreaterThan(0);
  });

  it('without backfill, starts only a task that fits after every passed-over request is reserved (property)', () => {
    let passingOver = 0;
    fc.assert(
      fc.property(queueArb, freeArb, viewOptionsArb, (tasks, free, options) => {
        const decision = nextDispatch(viewOf(tasks, free, { ...options, backfill: false }));
        if (decision.kind !== 'start') return;
        if (decision.passedOver.length > 0) passingOver++;
        expect(fitsIn(decision.task.resources, free, sumOf(decision.passedOver))).toBe(true);
        // passedOver are exactly the tasks ranked above it, in order
        expect(decision.passedOver).toEqual(tasks.slice(0, tasks.indexOf(decision.task)));
      }),
      { examples: QUEUE_EXAMPLES },
    );
    // Some starts passed over a task that did not fit: the reservation was in play.
    expect(passingOver).toBeGreaterThan(0);
  });

  it('applied in a loop, never over-commits a pool or a worker, and terminates (property)', () => {
    fc.assert(
      fc.property(queueArb, freeArb, viewOptionsArb, (initial, initialFree, options) => {
        const queue = [...initial];
        const free: Record<string, number> = { ...initialFree };
        const running = [...options.running];
        let freeWorkers = options.freeWorkers;
        let started = 0;
        for (let step = 0; ; step++) {
          expect(step).toBeLessThanOrEqual(initial.length); // each 'start' removes one task
          const decision = nextDispatch(viewOf(queue, free, { ...options, freeWorkers, running }));
          if (decision.kind !== 'start') break;
          const t = decision.task;
          queue.splice(queue.indexOf(t), 1);
          for (const [name, amount] of Object.entries(t.resources)) free[name] = (free[name] ?? 0) - amount;
          running.push({ startedAt: options.now, estimateMs: t.estimateMs, resources: t.resources });
          freeWorkers--;
          started++;
          for (const pool of POOLS) expect(free[pool]).toBeGreaterThanOrEqual(0);
        }
        expect(started).toBeLessThanOrEqual(options.freeWorkers);
        expect(freeWorkers).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("reserves on 'wait' exactly the sum of the blocked requests (property)", () => {
    let waits = 0;
    fc.assert(
      fc.property(queueArb, freeArb, viewOptionsArb, (tasks, free, options) => {
        const decision = nextDispatch(viewOf(tasks, free, options));
        if (decision.kind !== 'wait') return;
        waits++;
        expect(Object.fromEntries(decision.reserved)).toEqual(Object.fromEntries(sumOf(decision.blocked)));
        expect(decision.blocked).toEqual(tasks.slice(0, SCAN_LIMIT));
      }),
      { examples: QUEUE_EXAMPLES },
    );
    expect(waits).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- shadowTime

describe('shadowTime', () => {
  const view = (free: Record<string, number>, running: RunningEstimate[]) => ({ free: (n: string) => free[n] ?? 0, running: () => running });

  it('is the estimated end of the running task whose release makes the head fit', () => {
    const head = task('head', { cpu: 4 });
    const running = [
      { startedAt: 0, estimateMs: 900, resources: { cpu: 1 } },
      { startedAt: 0, estimateMs: 300, resources: { cpu: 1 } },
      { startedAt: 100, estimateMs: 500, resources: { cpu: 1 } },
    ];
    // free 1; ends at 300 (+1 = 2), 600 (+1 = 3), 900 (+1 = 4): fits at 900
    expect(shadowTime(head, view({ cpu: 1 }, running))).toBe(900);
    expect(shadowTime(head, view({ cpu: 2 }, running))).toBe(600);
  });

  it('is -Infinity when a running task has no estimate or no start', () => {
    const head = task('head', { cpu: 2 });
    expect(shadowTime(head, view({ cpu: 1 }, [{ startedAt: 0, estimateMs: 10, resources: { cpu: 1 } }, { startedAt: 0, estimateMs: undefined, resources: {} }]))).toBe(-Infinity);
    expect(shadowTime(head, view({ cpu: 1 }, [{ startedAt: undefined, estimateMs: 10, resources: { cpu: 1 } }]))).toBe(-Infinity);
  });

  it('is -Infinity when the head never fits, even after every running task ends', () => {
    expect(shadowTime(task('head', { cpu: 9 }), view({ cpu: 1 }, [{ startedAt: 0, estimateMs: 10, resources: { cpu: 1 } }]))).toBe(-Infinity);
  });
});

describe('checkBatch', () => {
  const spec = (id: string, dependencies: string[] = []): NormalizedTask => ({ id, dependencies }) as unknown as NormalizedTask;

  it('refuses an id already known or given twice, naming the index, and changes nothing', () => {
    const dag = new Dag();
    expect(checkBatch([spec('a')], (id) => id === 'a', dag, 10)).toEqual(new TaskSchedulingError('tasks[0].id: "a" is already used by another task', 'tasks[0].id'));
    expect(checkBatch([spec('b'), spec('b')], () => false, dag, 10)?.message).toBe('tasks[1].id: "b" is already used by another task');
    expect(checkBatch([spec('a'), spec('b', ['a'])], () => false, dag, 10)).toBeUndefined();
  });

  it('returns the graph\'s problem as the error for an unknown dependency or a cycle', () => {
    const dag = new Dag();
    expect(checkBatch([spec('a', ['ghost'])], () => false, dag, 10)).toBeInstanceOf(InvalidDependencyError);
    expect(checkBatch([spec('a', ['b']), spec('b', ['a'])], () => false, dag, 10)).toBeInstanceOf(InvalidDependencyError);
  });
});

describe('abandonedUpstream', () => {
  it('is the first dependency that failed or was cancelled, and undefined when none did', () => {
    const outcomes: Record<string, string> = { a: 'completed', b: 'cancelled', c: 'failed' };
    expect(abandonedUpstream(['a', 'c', 'b'], (id) => outcomes[id])).toEqual({ id: 'c', outcome: 'failed' });
    expect(abandonedUpstream(['a', 'x'], (id) => outcomes[id])).toBeUndefined();
  });

  it('names a dependency exactly when one failed or was cancelled (property)', () => {
    const outcome = fc.constantFrom(undefined, 'completed', 'failed', 'cancelled');
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 8 }), (list) => {
        const ids = list.map((_, i) => `d${i}`);
        const found = abandonedUpstream(ids, (id) => list[Number(id.slice(1))]);
        const first = list.findIndex((o) => o === 'failed' || o === 'cancelled');
        expect(found).toEqual(first < 0 ? undefined : { id: `d${first}`, outcome: list[first] });
      }),
    );
  });
});

describe('dependentEvent', () => {
  it('cancels a dependent of a cancelled task and fails one of a failed task, naming the upstream', () => {
    expect(dependentEvent('report', { id: 'build', outcome: 'cancelled' })).toEqual({ type: 'task.cancel', reason: 'dependency "build" was cancelled' });
    const failed = dependentEvent('report', { id: 'build', outcome: 'failed' });
    if (failed.type !== 'task.upstreamFailed') throw new Error(`expected task.upstreamFailed, got ${failed.type}`);
    const error = failed.error as UpstreamFailedError;
    expect(error).toBeInstanceOf(UpstreamFailedError);
    expect(error.upstream).toBe('build');
    expect(error.message).toBe('task "report" cannot run: dependency "build" failed');
  });
});

describe('attemptEndOf', () => {
  it('aborts the work exactly for a cancel or a timeout (a failed or interrupted attempt\'s work is over), and pumps now for every end but a success', () => {
    expect(attemptEndOf('task.succeed')).toEqual({ abort: undefined, pumpNow: false });
    expect(attemptEndOf('task.fail')).toEqual({ abort: undefined, pumpNow: true });
    expect(attemptEndOf('task.interrupted')).toEqual({ abort: undefined, pumpNow: true });
    expect(attemptEndOf('task.cancel')).toEqual({ abort: 'cancel', pumpNow: true });
    expect(attemptEndOf('task.timeout')).toEqual({ abort: 'timeout', pumpNow: true });
  });

  it('returns one shared answer per kind of end: nothing is allocated per attempt (property)', () => {
    const type = fc.constantFrom('task.succeed', 'task.fail', 'task.interrupted', 'task.cancel', 'task.timeout', 'task.upstreamFailed');
    fc.assert(
      fc.property(type, (t) => {
        expect(attemptEndOf(t)).toBe(attemptEndOf(t));
        expect(Object.isFrozen(attemptEndOf(t))).toBe(true);
        expect(attemptEndOf(t).abort !== undefined).toBe(t !== 'task.succeed' && t !== 'task.fail' && t !== 'task.interrupted');
      }),
    );
  });
});
