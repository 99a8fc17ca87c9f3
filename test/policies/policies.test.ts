import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agingRatePerMs } from '../../src/policies/agingRatePerMs.js';
import { agingWindowMs } from '../../src/policies/agingWindowMs.js';
import { createUpwardRank } from '../../src/policies/createUpwardRank.js';
import { criticalPathPolicy } from '../../src/policies/criticalPathPolicy.js';
import { fairSharePolicy } from '../../src/policies/fairSharePolicy.js';
import { fifoPolicy } from '../../src/policies/fifoPolicy.js';
import { priorityPolicy } from '../../src/policies/priorityPolicy.js';
import { resolvePolicy } from '../../src/policies/resolvePolicy.js';
import { shortestFirstPolicy } from '../../src/policies/shortestFirstPolicy.js';
import type { PolicyContext, QueuedTask, ReadyQueue, SchedulingPolicy, TaskPriority } from '../../src/types.js';

const IDS = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'] as const;
const GROUPS = ['a', 'b', 'c'] as const;
/** A power of two, so aged keys are exact in floating point. */
const RATE = 1 / 1024;

/** Dependents (edges from a lower to a higher index) and estimates of the ids above. */
interface Graph {
  readonly dependents: Readonly<Record<string, readonly string[]>>;
  readonly estimates: Readonly<Record<string, number | undefined>>;
}

interface Model {
  queued: QueuedTask[];
  running: QueuedTask[];
  nextSeq: number;
}
interface Real {
  readonly policy: SchedulingPolicy;
  readonly queue: ReadyQueue;
}

/** The reference: the dispatch order a policy promises, assuming each listed task then starts. */
type ReferenceOrder = (queued: readonly QueuedTask[], running: readonly QueuedTask[], graph: Graph) => QueuedTask[];

const byPriorityThenSeq = (a: QueuedTask, b: QueuedTask): number => b.priority - a.priority || a.seq - b.seq;
const sortedBy =
  (compare: (a: QueuedTask, b: QueuedTask, graph: Graph) => number): ReferenceOrder =>
  (queued, _running, graph) =>
    [...queued].sort((a, b) => compare(a, b, graph));

function naiveRank(id: string, graph: Graph): number {
  const below = (graph.dependents[id] ?? []).map((d) => naiveRank(d, graph));
  return (graph.estimates[id] ?? 0) + Math.max(0, ...below);
}

function fairShareOrder(weights: Readonly<Record<string, number>>): ReferenceOrder {
  return (queued, running) => {
    const left = [...queued];
    const counts = new Map<string, number>();
    for (const task of running) counts.set(task.group, (counts.get(task.group) ?? 0) + 1);
    const out: QueuedTask[] = [];
    while (left.length > 0) {
      const share = (t: QueuedTask): number => (counts.get(t.group) ?? 0) / (weights[t.group] ?? 1);
      left.sort((a, b) => share(a) - share(b) || byPriorityThenSeq(a, b));
      const next = left.shift() as QueuedTask;
      out.push(next);
      counts.set(next.group, (counts.get(next.group) ?? 0) + 1);
    }
    return out;
  };
}

interface PolicyCase {
  readonly name: string;
  readonly create: () => SchedulingPolicy;
  readonly reference: ReferenceOrder;
}

const WEIGHTS = { a: 1, b: 2, c: 0.5 };
const CASES: readonly PolicyCase[] = [
  { name: 'fifo', create: () => fifoPolicy(), reference: sortedBy((a, b) => a.seq - b.seq) },
  { name: 'priority', create: () => priorityPolicy(), reference: sortedBy(byPriorityThenSeq) },
  {
    name: 'priority with aging',
    create: () => priorityPolicy({ agingRatePerMs: RATE }),
    reference: (queued) => {
      const now = Math.max(0, ...queued.map((t) => t.readyAt));
      const effective = (t: QueuedTask): number => t.priority + RATE * (now - t.readyAt);
      return [...queued].sort((a, b) => effective(b) - effective(a) || a.seq - b.seq);
    },
  },
  {
    name: 'shortest-first',
    create: () => shortestFirstPolicy(),
    reference: sortedBy((a, b) => {
      if (a.estimateMs === undefined || b.estimateMs === undefined) {
        return (a.estimateMs === undefined ? 1 : 0) - (b.estimateMs === undefined ? 1 : 0) || a.seq - b.seq;
      }
      return a.estimateMs - b.estimateMs || a.seq - b.seq;
    }),
  },
  {
    name: 'critical-path',
    create: () => criticalPathPolicy(),
    // Equal ranks: priority, then the task with more dependents (CP/MISF), then submission order.
    reference: sortedBy(
      (a, b, graph) =>
        naiveRank(b.id, graph) - naiveRank(a.id, graph) ||
        b.priority - a.priority ||
        (graph.dependents[b.id]?.length ?? 0) - (graph.dependents[a.id]?.length ?? 0) ||
        a.seq - b.seq,
    ),
  },
  { name: 'fair-share', create: () => fairSharePolicy({ groupWeights: WEIGHTS }), reference: fairShareOrder(WEIGHTS) },
];

const taskArb = fc.record({
  id: fc.constantFrom(...IDS),
  priority: fc.constantFrom<TaskPriority>(1, 2, 3, 4, 5),
  readyAt: fc.integer({ min: 0, max: 20_000 }),
  estimateMs: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
  group: fc.constantFrom(...GROUPS),
});
type TaskDraft = Omit<QueuedTask, 'seq' | 'resources'>;

const graphArb: fc.Arbitrary<Graph> = fc
  .tuple(
    fc.array(fc.tuple(fc.nat(IDS.length - 1), fc.nat(IDS.length - 1)), { maxLength: 20 }),
    fc.array(fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }), { minLength: IDS.length, maxLength: IDS.length }),
  )
  .map(([edges, estimates]) => {
    const dependents: Record<string, string[]> = {};
    for (const [x, y] of edges) {
      if (x === y) continue;
      const [from, to] = [IDS[Math.min(x, y)] as string, IDS[Math.max(x, y)] as string];
      const list = (dependents[from] ??= []);
      if (!list.includes(to)) list.push(to);
    }
    return { dependents, estimates: Object.fromEntries(IDS.map((id, i) => [id, estimates[i]])) };
  });

function commandsFor(testCase: PolicyCase, graph: Graph) {
  const expected = (m: Model): QueuedTask[] => testCase.reference(m.queued, m.running, graph);
  const ids = (tasks: readonly QueuedTask[]): string[] => tasks.map((t) => t.id);
  const inGraph = (draft: TaskDraft): TaskDraft => ({ ...draft, estimateMs: graph.estimates[draft.id] });

  class Push implements fc.Command<Model, Real> {
    constructor(readonly draft: TaskDraft) {}
    check = (m: Readonly<Model>): boolean => ![...m.queued, ...m.running].some((t) => t.id === this.draft.id);
    run(m: Model, r: Real): void {
      const task: QueuedTask = { ...inGraph(this.draft), resources: {}, seq: m.nextSeq++ };
      m.queued.push(task);
      r.queue.push(task);
      expect(r.queue.size).toBe(m.queued.length);
    }
    toString = (): string => `push(${JSON.stringify(this.draft)})`;
  }
  class PopAndStart implements fc.Command<Model, Real> {
    check = (): boolean => true;
    run(m: Model, r: Real): void {
      const want = expected(m)[0];
      const got = r.queue.pop();
      expect(got?.id).toBe(want?.id);
      if (!got) return;
      m.queued = m.queued.filter((t) => t.id !== got.id);
      m.running.push(got);
      r.policy.onStart?.(got);
    }
    toString = (): string => 'popAndStart';
  }
  class Finish implements fc.Command<Model, Real> {
    constructor(readonly at: number) {}
    check = (m: Readonly<Model>): boolean => m.running.length > 0;
    run(m: Model, r: Real): void {
      const [task] = m.running.splice(this.at % m.running.length, 1);
      if (task) r.policy.onFinish?.(task);
    }
    toString = (): string => `finish(${this.at})`;
  }
  class Remove implements fc.Command<Model, Real> {
    constructor(readonly id: string) {}
    check = (): boolean => true;
    run(m: Model, r: Real): void {
      const isQueued = m.queued.some((t) => t.id === this.id);
      expect(r.queue.remove(this.id)).toBe(isQueued);
      m.queued = m.queued.filter((t) => t.id !== this.id);
    }
    toString = (): string => `remove(${this.id})`;
  }
  class Update implements fc.Command<Model, Real> {
    constructor(
      readonly id: string,
      readonly priority: TaskPriority,
    ) {}
    check = (): boolean => true;
    run(m: Model, r: Real): void {
      const at = m.queued.findIndex((t) => t.id === this.id);
      const task = m.queued[at];
      if (!task) {
        expect(r.queue.update({ ...inGraph({ id: this.id, priority: this.priority, readyAt: 0, estimateMs: undefined, group: 'a' }), seq: -1, resources: {} })).toBe(false);
        return;
      }
      const changed = { ...task, priority: this.priority };
      m.queued[at] = changed;
      expect(r.queue.update(changed)).toBe(true);
    }
    toString = (): string => `update(${this.id}, ${this.priority})`;
  }
  class Ordered implements fc.Command<Model, Real> {
    constructor(readonly limit: number) {}
    check = (): boolean => true;
    run(m: Model, r: Real): void {
      expect(ids(r.queue.ordered(this.limit))).toEqual(ids(expected(m).slice(0, this.limit)));
      expect(r.queue.peek()?.id).toBe(expected(m)[0]?.id);
    }
    toString = (): string => `ordered(${this.limit})`;
  }

  return fc.commands(
    [
      taskArb.map((draft) => new Push(draft)),
      fc.constant(new PopAndStart()),
      fc.nat(9).map((at) => new Finish(at)),
      fc.constantFrom(...IDS).map((id) => new Remove(id)),
      fc.tuple(fc.constantFrom(...IDS), fc.constantFrom<TaskPriority>(1, 2, 3, 4, 5)).map(([id, p]) => new Update(id, p)),
      fc.integer({ min: 0, max: 12 }).map((limit) => new Ordered(limit)),
    ],
    { maxCommands: 60 },
  );
}

function contextOf(graph: Graph): PolicyContext {
  return { now: () => 0, dependentsOf: (id) => graph.dependents[id] ?? [], estimateOf: (id) => graph.estimates[id] };
}

describe.each(CASES)('$name policy ReadyQueue', (testCase) => {
  it('dispatches in the order of its reference model under any sequence of queue operations', () => {
    fc.assert(
      fc.property(
        graphArb.chain((graph) => fc.tuple(fc.constant(graph), commandsFor(testCase, graph))),
        ([graph, commands]) => {
          const policy = testCase.create();
          const real: Real = { policy, queue: policy.createQueue(contextOf(graph)) };
          fc.modelRun(() => ({ model: { queued: [], running: [], nextSeq: 1 }, real }), commands);
        },
      ),
      { numRuns: 150 },
    );
  });
});

const task = (id: string, fields: Partial<QueuedTask> = {}): QueuedTask => ({
  id,
  priority: 3,
  seq: Number(id.replace(/\D/g, '')) || 0,
  readyAt: 0,
  estimateMs: undefined,
  group: 'default',
  resources: {},
  ...fields,
});
const drain = (queue: ReadyQueue): string[] => {
  const out: string[] = [];
  for (let next = queue.pop(); next; next = queue.pop()) out.push(next.id);
  return out;
};
const noGraph: PolicyContext = { now: () => 0, dependentsOf: () => [], estimateOf: () => undefined };

describe('priorityPolicy', () => {
  it('lets an aged low-priority task overtake a high-priority task that became ready after its aging window', () => {
    const rate = agingRatePerMs(1.2, 60_000);
    const queue = priorityPolicy({ agingRatePerMs: rate }).createQueue(noGraph);
    const window = agingWindowMs(1, rate);
    queue.push(task('t1', { priority: 1, readyAt: 0 }));
    queue.push(task('t2', { priority: 5, readyAt: window - 1 }));
    queue.push(task('t3', { priority: 5, readyAt: window + 1 }));
    expect(drain(queue)).toEqual(['t2', 't1', 't3']);
  });

  it('does not age unless a rate is configured', () => {
    const queue = priorityPolicy().createQueue(noGraph);
    queue.push(task('t1', { priority: 1, readyAt: 0 }));
    queue.push(task('t2', { priority: 2, readyAt: 1e12 }));
    expect(drain(queue)).toEqual(['t2', 't1']);
  });

  it('rejects a negative aging rate, naming the field', () => {
    expect(() => priorityPolicy({ agingRatePerMs: -1 })).toThrow(/agingRatePerMs.*received -1/);
  });
});

describe('agingRatePerMs', () => {
  it('gives priority_boost levels per aging interval', () => {
    expect(agingRatePerMs(1.2, 60_000) * 60_000).toBeCloseTo(1.2, 12);
    expect(agingWindowMs(1, agingRatePerMs(1.2, 60_000))).toBeCloseTo(200_000, 6);
    expect(agingWindowMs(5, agingRatePerMs(1.2))).toBe(0);
  });

  it('turns aging off for an interval of 0 (the documented aging_interval: 0) and rejects a negative one', () => {
    expect(agingRatePerMs(1.2, 0)).toBe(0);
    expect(() => agingRatePerMs(1.2, -1)).toThrow(/agingIntervalMs.*>= 0.*received -1/);
  });
});

describe('createUpwardRank', () => {
  it('equals the longest chain of estimates from a task to the end of the graph', () => {
    fc.assert(
      fc.property(graphArb, (graph) => {
        const rank = createUpwardRank(contextOf(graph));
        for (const id of IDS) expect(rank(id)).toBe(naiveRank(id, graph));
      }),
    );
  });

  it('handles a chain far deeper than the call stack', () => {
    const n = 100_000;
    const rank = createUpwardRank({ dependentsOf: (id) => (Number(id) < n - 1 ? [String(Number(id) + 1)] : []), estimateOf: () => 1 });
    expect(rank('0')).toBe(n);
  });

  it('throws on a cycle', () => {
    const rank = createUpwardRank({ dependentsOf: (id) => (id === 'a' ? ['b'] : ['a']), estimateOf: () => 1 });
    expect(() => rank('a')).toThrow(/cycle/);
  });
});

describe('criticalPathPolicy', () => {
  it('breaks a tie of rank and priority by more dependents first, then submission order', () => {
    // a and b both rank 2 s; b opens c (CP/MISF); d ranks 2 s too, with no dependents.
    const dependents: Record<string, string[]> = { b: ['c'] };
    const queue = criticalPathPolicy().createQueue({
      now: () => 0,
      dependentsOf: (id) => dependents[id] ?? [],
      estimateOf: (id) => ({ a: 2000, b: 1000, c: 1000, d: 2000 })[id],
    });
    for (const [id, seq] of [['a', 1], ['b', 2], ['d', 3]] as const) queue.push(task(id, { seq }));
    expect(drain(queue)).toEqual(['b', 'a', 'd']);
  });

  it('ranks a task pushed before its dependents of the same batch were added to the graph', () => {
    const dependents: Record<string, string[]> = {};
    const queue = criticalPathPolicy().createQueue({
      now: () => 0,
      dependentsOf: (id) => dependents[id] ?? [],
      estimateOf: (id) => ({ a: 1, b: 5, c: 9 })[id],
    });
    queue.push(task('a'));
    queue.push(task('b'));
    dependents.a = ['c'];
    expect(drain(queue)).toEqual(['a', 'b']);
  });

  it('refuses a task that is already queued', () => {
    const queue = criticalPathPolicy().createQueue(noGraph);
    queue.push(task('t1'));
    expect(() => queue.push(task('t1'))).toThrow(/"t1" is already queued/);
  });
});

describe('fairSharePolicy', () => {
  it('gives a group of weight 3 three times the running tasks of a group of weight 1', () => {
    const policy = fairSharePolicy({ groupWeights: { big: 3, small: 1 } });
    const queue = policy.createQueue(noGraph);
    for (let i = 1; i <= 8; i++) queue.push(task(`t${i}`, { group: i % 2 ? 'big' : 'small' }));
    const started = [0, 1, 2, 3].map(() => {
      const next = queue.pop() as QueuedTask;
      policy.onStart?.(next);
      return next.group;
    });
    expect(started.filter((g) => g === 'big')).toHaveLength(3);
  });

  it('rejects a weight that is not positive', () => {
    expect(() => fairSharePolicy({ groupWeights: { a: 0 } })).toThrow(/groupWeights\.a.*received 0/);
  });
});

describe('resolvePolicy', () => {
  it('maps every built-in name to a policy of that name', () => {
    for (const name of ['priority', 'fifo', 'shortest-first', 'critical-path', 'fair-share'] as const) {
      expect(resolvePolicy(name, { backfill: true })).toMatchObject({ name, backfill: true });
    }
  });

  it('turns priorityBoost into aging', () => {
    const queue = resolvePolicy('priority', { priorityBoost: 1, agingIntervalMs: 1000 }).createQueue(noGraph);
    queue.push(task('t1', { priority: 1, readyAt: 0 }));
    queue.push(task('t2', { priority: 5, readyAt: 5000 }));
    expect(queue.peek()?.id).toBe('t1');
  });

  it('returns a policy object unchanged and rejects an unknown name', () => {
    const custom = fifoPolicy();
    expect(resolvePolicy(custom)).toBe(custom);
    expect(() => resolvePolicy('lifo' as never)).toThrow(/expected a policy name .* received "lifo"/);
  });
});
