import { describe, expect, it } from 'vitest';
import {
  assertInvariants,
  checkCompletion,
  checkDependencies,
  checkDispatchOrder,
  checkInvariants,
  checkPriorityOrder,
  checkResources,
  checkStarvation,
  checkTransitions,
  checkWorkers,
  InvariantViolationError,
} from '../../src/simulate/invariants.js';
import type { Trace, TraceEvent, TraceTask } from '../../src/simulate/types.js';
import type { TaskPriority, TaskStatus } from '../../src/types.js';

type TaskFields = Partial<Omit<TraceTask, 'id' | 'seq'>>;

/** Builds a trace: `tasks` in submission order, then `steps` as `[time, id, to]` with `from` filled in. */
function trace(
  tasks: Record<string, TaskFields>,
  steps: [number, string, TaskStatus, Partial<TraceEvent>?][],
  setting: { maxWorkers?: number; resources?: Record<string, number> } = {},
): Trace {
  const status = new Map<string, TaskStatus>();
  const events: TraceEvent[] = steps.map(([time, task, to, extra]) => {
    const from = status.get(task) ?? null;
    status.set(task, to);
    return { time, task, from, to, ...(to === 'running' ? { readyAt: 0 } : {}), ...extra };
  });
  return {
    policy: 'test',
    maxWorkers: setting.maxWorkers ?? 2,
    resources: setting.resources ?? { cpu: 4 },
    tasks: Object.entries(tasks).map(([id, fields], i) => ({
      id,
      priority: 3 as TaskPriority,
      group: 'default',
      dependencies: [],
      resources: {},
      estimateMs: null,
      seq: i + 1,
      ...fields,
    })),
    events,
  };
}

/** Schedules every task at 0, then runs `runs` as [id, start, end]. */
function runs(tasks: Record<string, TaskFields>, spans: [string, number, number][], setting?: Parameters<typeof trace>[2]): Trace {
  const steps: [number, string, TaskStatus, Partial<TraceEvent>?][] = Object.keys(tasks).map((id) => [0, id, 'pending']);
  const points = spans.flatMap(([id, start, end]) => [
    { time: start, order: 1, step: [start, id, 'running', { readyAt: readyAtOf(id) }] as const },
    { time: end, order: 0, step: [end, id, 'completed'] as const },
  ]);
  points.sort((a, b) => a.time - b.time || a.order - b.order);
  return trace(tasks, [...steps, ...points.map((p) => [...p.step] as [number, string, TaskStatus, Partial<TraceEvent>?])], setting);

  function readyAtOf(id: string): number {
    const deps = tasks[id]?.dependencies ?? [];
    return Math.max(0, ...deps.map((d) => spans.find(([x]) => x === d)?.[2] ?? 0));
  }
}

describe('checkWorkers', () => {
  it('accepts maxWorkers tasks at once and flags one more', () => {
    const ok = runs({ a: {}, b: {} }, [['a', 0, 5], ['b', 0, 5]]);
    expect(checkWorkers(ok)).toEqual([]);
    const over = runs({ a: {}, b: {}, c: {} }, [['a', 0, 5], ['b', 0, 5], ['c', 1, 2]]);
    expect(checkWorkers(over)).toMatchObject([{ invariant: 'max-workers', time: 1, tasks: ['a', 'b', 'c'] }]);
  });
});

describe('checkResources', () => {
  it('flags a start that takes a pool past its capacity, and only while the holder runs', () => {
    const tasks = { a: { resources: { cpu: 3 } }, b: { resources: { cpu: 2 } } };
    expect(checkResources(runs(tasks, [['a', 0, 5], ['b', 5, 6]]))).toEqual([]);
    expect(checkResources(runs(tasks, [['a', 0, 5], ['b', 4, 6]]))).toMatchObject([
      { invariant: 'over-commit', time: 4, tasks: ['a', 'b'] },
    ]);
  });

  it('treats a resource without a pool as capacity 0', () => {
    expect(checkResources(runs({ a: { resources: { gpu: 1 } } }, [['a', 0, 1]]))).toHaveLength(1);
  });
});

describe('checkDependencies', () => {
  it('flags a task that starts before its dependency completed', () => {
    const tasks = { a: {}, b: { dependencies: ['a'] } };
    expect(checkDependencies(runs(tasks, [['a', 0, 5], ['b', 5, 6]]))).toEqual([]);
    expect(checkDependencies(runs(tasks, [['a', 0, 5], ['b', 3, 6]]))).toMatchObject([
      { invariant: 'dependency-order', time: 3, tasks: ['b', 'a'] },
    ]);
  });
});

describe('checkTransitions', () => {
  it('accepts retries and cancellation of a pending task', () => {
    const t = trace({ a: {}, b: {} }, [
      [0, 'a', 'pending'],
      [0, 'b', 'pending'],
      [0, 'a', 'running'],
      [1, 'a', 'pending'],
      [2, 'a', 'running'],
      [3, 'a', 'failed'],
      [3, 'b', 'cancelled'],
    ]);
    expect(checkTransitions(t)).toEqual([]);
  });

  it('flags a final task that moves again and a pending task that completes without running', () => {
    const t = trace({ a: {}, b: {} }, [
      [0, 'a', 'pending'],
      [0, 'b', 'pending'],
      [0, 'a', 'running'],
      [1, 'a', 'completed'],
      [2, 'a', 'running'],
      [3, 'b', 'completed'],
    ]);
    expect(checkTransitions(t).map((v) => [v.tasks[0], v.time])).toEqual([
      ['a', 2],
      ['b', 3],
    ]);
  });

  it('flags an event whose from is not the previous state', () => {
    const t = trace({ a: {} }, [[0, 'a', 'pending'], [1, 'a', 'completed', { from: 'running' }]]);
    expect(checkTransitions(t)).toHaveLength(1);
  });
});

describe('checkCompletion', () => {
  it('flags tasks that end the trace pending or running', () => {
    const t = trace({ a: {}, b: {}, c: {} }, [
      [0, 'a', 'pending'],
      [0, 'b', 'pending'],
      [1, 'b', 'running'],
    ]);
    expect(checkCompletion(t).map((v) => v.tasks[0])).toEqual(['a', 'b', 'c']);
  });
});

describe('checkDispatchOrder', () => {
  const bySeq = (a: { seq: number }, b: { seq: number }) => a.seq - b.seq;

  it('flags a task that passed a ready, earlier-ranked task that fitted', () => {
    const t = runs({ a: {}, b: {} }, [['b', 0, 5], ['a', 5, 6]], { maxWorkers: 1 });
    expect(checkDispatchOrder(t, bySeq)).toMatchObject([{ invariant: 'dispatch-order', time: 0, tasks: ['b', 'a'] }]);
    expect(checkDispatchOrder(runs({ a: {}, b: {} }, [['a', 0, 5], ['b', 5, 6]], { maxWorkers: 1 }), bySeq)).toEqual([]);
  });

  it('accepts passing a task whose resources did not fit, and a task that was not ready yet', () => {
    const tasks = { big: { resources: { cpu: 4 } }, hog: { resources: { cpu: 1 } }, small: { resources: { cpu: 1 } } };
    // "hog" holds a cpu, so "big" cannot start; "small" may use what "big" does not need.
    const t = runs({ hog: tasks.hog, big: tasks.big, small: tasks.small }, [['hog', 0, 10], ['small', 0, 3], ['big', 10, 12]], {
      maxWorkers: 3,
    });
    expect(checkDispatchOrder(t, bySeq)).toEqual([]);
    const later = runs({ a: { dependencies: ['c'] }, b: {}, c: {} }, [['b', 0, 5], ['c', 0, 1], ['a', 1, 6]], { maxWorkers: 2 });
    expect(checkDispatchOrder(later, bySeq)).toEqual([]);
  });
});

describe('checkPriorityOrder', () => {
  it('flags a lower priority that started first, unless aging had raised it', () => {
    const tasks = { low: { priority: 1 as TaskPriority }, high: { priority: 5 as TaskPriority } };
    const t = runs(tasks, [['low', 0, 5], ['high', 5, 6]], { maxWorkers: 1 });
    expect(checkPriorityOrder(t)).toHaveLength(1);
    const aged = trace(tasks, [
      [0, 'low', 'pending'],
      [0, 'high', 'pending'],
      [100, 'low', 'running', { readyAt: 0 }],
      [105, 'low', 'completed'],
      [105, 'high', 'running', { readyAt: 99 }],
      [106, 'high', 'completed'],
    ]);
    expect(checkPriorityOrder(aged, { agingRatePerMs: 1 })).toEqual([]);
    expect(checkPriorityOrder(aged, { agingRatePerMs: 0.01 })).toHaveLength(1);
  });
});

describe('checkStarvation', () => {
  /** One worker; "low" waits behind a chain of `n` high tasks, each 10 ms, readied one after another. */
  function chain(n: number, lowStartsAfter: number): Trace {
    const tasks: Record<string, TaskFields> = { low: { priority: 1 as TaskPriority } };
    const spans: [string, number, number][] = [];
    let time = 0;
    for (let i = 0; i < n; i++) {
      if (i === lowStartsAfter) spans.push(['low', time, (time += 10)]);
      tasks[`h${i}`] = { priority: 5 as TaskPriority, ...(i > 0 ? { dependencies: [`h${i - 1}`] } : {}) };
      spans.push([`h${i}`, time, (time += 10)]);
    }
    if (lowStartsAfter >= n) spans.push(['low', time, time + 10]);
    return runs(tasks, spans, { maxWorkers: 1 });
  }

  it('accepts a low-priority task that runs once its aging window has passed', () => {
    // rate 0.1 level/ms: window for priority 1 is 40 ms; at most one task ahead then, each 10 ms.
    expect(checkStarvation(chain(20, 5), { agingRatePerMs: 0.1 })).toEqual([]);
  });

  it('flags a low-priority task kept waiting by tasks that became ready after its window', () => {
    expect(checkStarvation(chain(20, 20), { agingRatePerMs: 0.1 })).toMatchObject([{ invariant: 'starvation', tasks: ['low'] }]);
  });
});

describe('assertInvariants', () => {
  it('passes a clean trace and throws a readable error listing each violation', () => {
    const clean = runs({ a: {}, b: { dependencies: ['a'] } }, [['a', 0, 5], ['b', 5, 6]]);
    expect(() => assertInvariants(clean, { order: 'priority' })).not.toThrow();
    const broken = runs({ a: {}, b: { dependencies: ['a'] } }, [['b', 0, 1], ['a', 1, 2]]);
    expect(checkInvariants(broken).map((v) => v.invariant)).toEqual(['dependency-order']);
    const error = (() => {
      try {
        assertInvariants(broken);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvariantViolationError);
    expect(String((error as Error).message)).toMatch(/1 scheduling invariant violation\(s\):\n {2}\[dependency-order\] t=0 ms: task "b" started before its dependencies "a" completed/);
  });
});
