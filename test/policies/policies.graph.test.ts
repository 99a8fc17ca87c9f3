import { describe, expect, it } from 'vitest';
import { assign, setup, SimulatedClock } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { createScheduler } from '../../src/core/createScheduler.js';
import { agingRatePerMs } from '../../src/policies/agingRatePerMs.js';
import { checkInvariants, type InvariantOptions } from '../../src/simulate/invariants.js';
import { recordTrace } from '../../src/simulate/recordTrace.js';
import type { Trace } from '../../src/simulate/types.js';
import { criticalPathPolicy } from '../../src/policies/criticalPathPolicy.js';
import type { PolicyName, PolicyOptions, QueuedTask, SchedulingPolicy, TaskPriorityName } from '../../src/types.js';
import { manualWork, settle, type ManualWork } from '../support/harness.js';

// The scheduler actor is impure custom logic, so the graph is walked over a small pure
// "environment" statechart instead: it only counts how many tasks have finished and how many
// attempts have failed. Which task an event hits is decided on replay by the real scheduler
// (the oldest or newest running one), so one abstract path means the same thing under every policy.

/** What the environment can do to the running tasks. */
type EnvironmentEvent =
  /** The running task that started first completes. */
  | { type: 'finish.oldest' }
  /** The running task that started last completes. */
  | { type: 'finish.newest' }
  /** The attempt of the running task that started first fails; the task has one retry left. */
  | { type: 'fail.oldest' };

interface EnvironmentInput {
  readonly taskCount: number;
  readonly maxFailures: number;
}

const environmentMachine = setup({
  types: {
    input: {} as EnvironmentInput,
    context: {} as EnvironmentInput & { finished: number; failures: number },
    events: {} as EnvironmentEvent,
  },
  guards: {
    isLastTask: ({ context }) => context.finished + 1 === context.taskCount,
    canFail: ({ context }) => context.failures < context.maxFailures,
  },
  actions: {
    countFinish: assign({ finished: ({ context }) => context.finished + 1 }),
    countFailure: assign({ failures: ({ context }) => context.failures + 1 }),
  },
}).createMachine({
  id: 'environment',
  context: ({ input }) => ({ ...input, finished: 0, failures: 0 }),
  initial: 'working',
  states: {
    working: {
      on: {
        'finish.oldest': [{ guard: 'isLastTask', target: 'done', actions: 'countFinish' }, { actions: 'countFinish' }],
        'finish.newest': [{ guard: 'isLastTask', target: 'done', actions: 'countFinish' }, { actions: 'countFinish' }],
        'fail.oldest': { guard: 'canFail', actions: 'countFailure' },
      },
    },
    done: { type: 'final' },
  },
});

interface WorkloadTask {
  readonly id: string;
  readonly priority: TaskPriorityName;
  readonly estimateMs: number;
  readonly group: string;
  readonly dependencies?: readonly string[];
  readonly resources?: Readonly<Record<string, number>>;
}

interface Workload {
  readonly name: string;
  readonly maxWorkers: number;
  readonly resources: Readonly<Record<string, number>>;
  readonly tasks: readonly WorkloadTask[];
  /** With one worker, oldest and newest are the same task: leave `finish.newest` out. */
  readonly events: readonly EnvironmentEvent[];
  /** How many complete paths the graph must yield. */
  readonly expectedPaths: number;
  /** Start order on the path where the oldest running task always finishes and nothing fails, by policy case. */
  readonly expectedStarts?: Readonly<Record<string, readonly string[]>>;
  /** Tasks running after the first dispatch, in start order, by policy case. */
  readonly expectedFirstRunning?: Readonly<Record<string, readonly string[]>>;
}

/** Aging of the `priority + aging` case: 5 levels a second, so it matters within a few estimates. */
const AGING = { priorityBoost: 5, agingIntervalMs: 1000 } as const;

const FINISH_AND_FAIL: readonly EnvironmentEvent[] = [{ type: 'finish.oldest' }, { type: 'fail.oldest' }];
const ALL_EVENTS: readonly EnvironmentEvent[] = [{ type: 'finish.oldest' }, { type: 'finish.newest' }, { type: 'fail.oldest' }];

// Paths to `done`: one finish event choice per task, times (taskCount + 1) places for the one
// optional failure (before any of the finishes, or none): choices^n × (n + 1).
const WORKLOADS: readonly Workload[] = [
  {
    // Each ranking picks a different first task: a by seq, b by priority, c by estimate,
    // d by upward rank (d → e is the longest chain).
    name: 'one worker, four rankings',
    maxWorkers: 1,
    resources: {},
    tasks: [
      { id: 'a', priority: 'normal', estimateMs: 3000, group: 'x' },
      { id: 'b', priority: 'high', estimateMs: 2000, group: 'x' },
      { id: 'c', priority: 'low', estimateMs: 1000, group: 'y' },
      { id: 'd', priority: 'lowest', estimateMs: 2500, group: 'y' },
      { id: 'e', priority: 'highest', estimateMs: 4000, group: 'y', dependencies: ['d'] },
    ],
    events: FINISH_AND_FAIL,
    expectedPaths: 1 ** 5 * 6,
    expectedStarts: {
      priority: ['b', 'a', 'c', 'd', 'e'],
      'priority + aging': ['b', 'a', 'c', 'd', 'e'],
      'priority + backfill': ['b', 'a', 'c', 'd', 'e'],
      fifo: ['a', 'b', 'c', 'd', 'e'],
      'shortest-first': ['c', 'b', 'd', 'a', 'e'],
      'critical-path, rank order': ['d', 'e', 'a', 'b', 'c'],
      // One worker: every order ends at the same time, so rank order stands.
      'critical-path': ['d', 'e', 'a', 'b', 'c'],
      'critical-path + setting': ['d', 'e', 'a', 'b', 'c'],
      'fair-share': ['b', 'a', 'c', 'd', 'e'],
    },
  },
  {
    // `big` needs the whole cpu pool while `long` holds half of it: it reserves the pool, so
    // `small` waits, unless backfill lets it run in the shadow of `long` or fair-share picks
    // the idle `web` group first.
    name: 'two workers, a reserved cpu pool and two groups',
    maxWorkers: 2,
    resources: { cpu: 2 },
    tasks: [
      { id: 'long', priority: 'high', estimateMs: 4000, group: 'batch', resources: { cpu: 1 } },
      { id: 'big', priority: 'high', estimateMs: 2000, group: 'batch', resources: { cpu: 2 } },
      { id: 'small', priority: 'low', estimateMs: 1000, group: 'web', resources: { cpu: 1 } },
      { id: 'after', priority: 'normal', estimateMs: 1000, group: 'web', dependencies: ['small'] },
    ],
    events: ALL_EVENTS,
    expectedPaths: 2 ** 4 * 5,
    expectedFirstRunning: {
      priority: ['long'],
      'priority + aging': ['long'],
      'priority + backfill': ['long', 'small'],
      fifo: ['long'],
      'shortest-first': ['small'],
      'critical-path, rank order': ['long'],
      // Rollouts: `long` first ends at 8 s (it blocks `big`, which blocks `small`); `big` first
      // ends at 6 s, as `small` first does; ties keep rank order, so `big` starts alone.
      'critical-path': ['big'],
      'critical-path + setting': ['big'],
      'fair-share': ['long', 'small'],
    },
  },
  {
    // `wide` waits for `hold` to free its cpu at 2000 ms; `slow` would end at 3000 ms, after
    // that, so even backfill must not start it beside `hold`.
    name: 'two workers, a backfill candidate that ends too late',
    maxWorkers: 2,
    resources: { cpu: 2 },
    tasks: [
      { id: 'hold', priority: 'high', estimateMs: 2000, group: 'default', resources: { cpu: 1 } },
      { id: 'wide', priority: 'high', estimateMs: 1000, group: 'default', resources: { cpu: 2 } },
      { id: 'slow', priority: 'low', estimateMs: 3000, group: 'default', resources: { cpu: 1 } },
    ],
    events: ALL_EVENTS,
    expectedPaths: 2 ** 3 * 4,
    expectedFirstRunning: {
      priority: ['hold'],
      'priority + aging': ['hold'],
      'priority + backfill': ['hold'],
      fifo: ['hold'],
      'shortest-first': ['wide'],
      'critical-path, rank order': ['slow', 'hold'],
      // Every first start ends at 4 s: rank order stands.
      'critical-path': ['slow', 'hold'],
      'critical-path + setting': ['slow', 'hold'],
      'fair-share': ['hold'],
    },
  },
  {
    // `urgent` becomes ready at 1000 ms, when `low` has waited 1000 ms: at 5 levels a second
    // `low` (1 + 5) then outranks `urgent` (5 + 0).
    name: 'one worker, a late urgent task',
    maxWorkers: 1,
    resources: {},
    tasks: [
      { id: 'gate', priority: 'high', estimateMs: 1000, group: 'default' },
      { id: 'low', priority: 'lowest', estimateMs: 1000, group: 'default' },
      { id: 'urgent', priority: 'highest', estimateMs: 1000, group: 'default', dependencies: ['gate'] },
    ],
    events: FINISH_AND_FAIL,
    expectedPaths: 1 ** 3 * 4,
    expectedStarts: {
      priority: ['gate', 'urgent', 'low'],
      'priority + aging': ['gate', 'low', 'urgent'],
      'priority + backfill': ['gate', 'urgent', 'low'],
      fifo: ['gate', 'low', 'urgent'],
      'shortest-first': ['gate', 'low', 'urgent'],
      'critical-path, rank order': ['gate', 'urgent', 'low'],
      'critical-path': ['gate', 'urgent', 'low'],
      'critical-path + setting': ['gate', 'urgent', 'low'],
      'fair-share': ['gate', 'urgent', 'low'],
    },
  },
];

interface PolicyCase {
  readonly name: string;
  readonly policy: PolicyName;
  /** A policy object to use instead of the name, made for the workload. */
  readonly make?: (workload: Workload) => SchedulingPolicy;
  readonly options: PolicyOptions;
  /** The order the policy promises, for the dispatch-order check (fair-share's depends on what runs). */
  readonly order: (workload: Workload) => InvariantOptions;
}

// The orders below are written out here rather than imported from src/policies, so that a
// broken comparator there cannot also break the oracle.
type Compare = (a: QueuedTask, b: QueuedTask) => number;
const bySeq: Compare = (a, b) => a.seq - b.seq;
const agedPriority =
  (ratePerMs: number): Compare =>
  (a, b) =>
    b.priority - ratePerMs * b.readyAt - (a.priority - ratePerMs * a.readyAt) || bySeq(a, b);
const byEstimate: Compare = (a, b) => (a.estimateMs ?? Number.MAX_VALUE) - (b.estimateMs ?? Number.MAX_VALUE) || bySeq(a, b);
const AGING_RATE = agingRatePerMs(AGING.priorityBoost, AGING.agingIntervalMs);

/** HEFT upward rank over the whole workload (all tasks are scheduled in one batch). */
function upwardRanks(workload: Workload): Map<string, number> {
  const ranks = new Map<string, number>();
  const rankOf = (id: string): number => {
    const known = ranks.get(id);
    if (known !== undefined) return known;
    const task = workload.tasks.find((t) => t.id === id);
    const dependents = workload.tasks.filter((t) => t.dependencies?.includes(id)).map((t) => rankOf(t.id));
    const rank = (task?.estimateMs ?? 0) + Math.max(0, ...dependents);
    ranks.set(id, rank);
    return rank;
  };
  for (const task of workload.tasks) rankOf(task.id);
  return ranks;
}

const POLICY_CASES: readonly PolicyCase[] = [
  { name: 'priority', policy: 'priority', options: {}, order: () => ({ order: agedPriority(0) }) },
  {
    name: 'priority + aging',
    policy: 'priority',
    options: AGING,
    // The starvation bound is checked too when agingRatePerMs > 0.
    order: () => ({ order: agedPriority(AGING_RATE), agingRatePerMs: AGING_RATE }),
  },
  { name: 'priority + backfill', policy: 'priority', options: { backfill: true }, order: () => ({ order: agedPriority(0) }) },
  { name: 'fifo', policy: 'fifo', options: {}, order: () => ({ order: bySeq }) },
  { name: 'shortest-first', policy: 'shortest-first', options: {}, order: () => ({ order: byEstimate }) },
  {
    // Rank order alone (no lookahead): the order is fixed, so it is checked at every start.
    name: 'critical-path, rank order',
    policy: 'critical-path',
    make: () => criticalPathPolicy({ lookahead: 0 }),
    options: {},
    order: (workload) => {
      const ranks = upwardRanks(workload);
      const successors = (id: string): number => workload.tasks.filter((t) => t.dependencies?.includes(id)).length;
      return {
        order: (a, b) =>
          (ranks.get(b.id) ?? 0) - (ranks.get(a.id) ?? 0) || b.priority - a.priority || successors(b.id) - successors(a.id) || bySeq(a, b),
      };
    },
  },
  {
    // By name, critical-path plans with the workers and pools the scheduler's own policy context
    // tells it: the rollout lookahead, which promises no fixed order; its starts are checked
    // against the expectations above and against the same policy told the setting explicitly.
    name: 'critical-path',
    policy: 'critical-path',
    options: {},
    order: () => ({}),
  },
  {
    name: 'critical-path + setting',
    policy: 'critical-path',
    make: (workload) => criticalPathPolicy({ setting: { maxWorkers: workload.maxWorkers, capacity: workload.resources } }),
    options: {},
    order: () => ({}),
  },
  { name: 'fair-share', policy: 'fair-share', options: {}, order: () => ({}) },
];

interface Replay {
  readonly trace: Trace;
  /** Task ids in the order of their first start. */
  readonly starts: readonly string[];
  /** Ids running right after the first dispatch, in start order. */
  readonly firstRunning: readonly string[];
  /** Status of every task at the end. */
  readonly statuses: Readonly<Record<string, string>>;
}

/** Ids running in `trace`, oldest start first, with the time each started. */
function runningTasks(trace: Trace): { id: string; startedAt: number }[] {
  const running: { id: string; startedAt: number }[] = [];
  for (const event of trace.events) {
    if (event.from === 'running') running.splice(running.findIndex((r) => r.id === event.task), 1);
    if (event.to === 'running') running.push({ id: event.task, startedAt: event.time });
  }
  return running;
}

/**
 * Runs `workload` on a real scheduler under `policyCase` and applies `events` one by one. Before
 * a task ends, the clock moves to its estimated end (never back), so estimates, backfill and aging
 * see realistic times.
 */
async function replay(workload: Workload, policyCase: PolicyCase, events: readonly EnvironmentEvent[]): Promise<Replay> {
  const clock = new SimulatedClock();
  const scheduler = createScheduler({
    clock,
    policy: policyCase.make?.(workload) ?? policyCase.policy,
    policyOptions: policyCase.options,
    maxWorkers: workload.maxWorkers,
    resources: workload.resources,
    defaultTimeoutMs: 0,
    dependencyTimeoutMs: 0,
    defaultRetry: { attempts: 2, backoffMs: 0 },
  });
  const recorder = recordTrace(scheduler, { now: () => clock.now(), policy: policyCase.name });
  const works = new Map<string, ManualWork>(workload.tasks.map((task) => [task.id, manualWork()]));
  const estimates = new Map(workload.tasks.map((task) => [task.id, task.estimateMs]));
  scheduler.scheduleTasks(
    workload.tasks.map((task) => ({
      id: task.id,
      priority: task.priority,
      estimateMs: task.estimateMs,
      group: task.group,
      dependencies: task.dependencies ?? [],
      resources: task.resources ?? {},
      run: (works.get(task.id) as ManualWork).run,
    })),
  );
  await settle();
  const firstRunning = runningTasks(recorder.trace).map((r) => r.id);

  for (const [index, event] of events.entries()) {
    const running = runningTasks(recorder.trace);
    const target = event.type === 'finish.newest' ? running.at(-1) : running[0];
    if (target === undefined) throw new Error(`step ${index} (${event.type}): no task is running`);
    clock.set(Math.max(clock.now(), target.startedAt + (estimates.get(target.id) ?? 0)));
    const work = works.get(target.id) as ManualWork;
    if (event.type === 'fail.oldest') work.reject(new Error(`attempt of ${target.id} failed`));
    else work.resolve(target.id);
    await settle();
    // A retry's backoff is 0 ms, but it is still a clock timer.
    clock.increment(0);
    await settle();
  }

  const trace = recorder.stop();
  const starts = [...new Set(trace.events.filter((e) => e.to === 'running').map((e) => e.task))];
  const statuses = Object.fromEntries(workload.tasks.map((task) => [task.id, scheduler.getTaskStatus(task.id)]));
  await scheduler.stop();
  return { trace, starts, firstRunning, statuses };
}

function completePaths(workload: Workload): EnvironmentEvent[][] {
  const paths = getSimplePaths(environmentMachine, {
    input: { taskCount: workload.tasks.length, maxFailures: 1 },
    events: [...workload.events],
    toState: (snapshot) => snapshot.status === 'done',
  });
  // The first step of a path is the machine's initialisation.
  return paths.map((path) => path.steps.slice(1).map((step) => step.event));
}

/** Replays of every complete path, by policy case, computed once per workload. */
const replays = new Map<string, Promise<Map<string, { events: EnvironmentEvent[]; replay: Replay }[]>>>();
function replaysOf(workload: Workload): Promise<Map<string, { events: EnvironmentEvent[]; replay: Replay }[]>> {
  let pending = replays.get(workload.name);
  if (!pending) {
    pending = (async () => {
      const byCase = new Map<string, { events: EnvironmentEvent[]; replay: Replay }[]>();
      for (const policyCase of POLICY_CASES) {
        const runs: { events: EnvironmentEvent[]; replay: Replay }[] = [];
        for (const events of completePaths(workload)) runs.push({ events, replay: await replay(workload, policyCase, events) });
        byCase.set(policyCase.name, runs);
      }
      return byCase;
    })();
    replays.set(workload.name, pending);
  }
  return pending;
}

const describePath = (events: readonly EnvironmentEvent[]): string => events.map((e) => e.type).join(' ');

describe('built-in policies over xstate/graph paths', () => {
  describe('environmentMachine', () => {
    it('reaches every (finished, failures) state and one final state per failure count', () => {
      for (const workload of WORKLOADS) {
        const n = workload.tasks.length;
        const shortest = getShortestPaths(environmentMachine, {
          input: { taskCount: n, maxFailures: 1 },
          events: [...workload.events],
        });
        // working with 0..n-1 finished × 0..1 failures, plus done with 0 or 1 failures.
        expect(shortest).toHaveLength(2 * n + 2);
      }
    });

    it.each(WORKLOADS)('yields every completion interleaving of "$name" as a simple path', (workload) => {
      const paths = completePaths(workload);
      expect(paths).toHaveLength(workload.expectedPaths);
      expect(new Set(paths.map(describePath)).size).toBe(paths.length);
      for (const events of paths) {
        expect(events.filter((e) => e.type !== 'fail.oldest')).toHaveLength(workload.tasks.length);
      }
    });
  });

  for (const workload of WORKLOADS) {
    describe(workload.name, () => {
      it.each(POLICY_CASES)('$name keeps every invariant and completes every task on every path', async (policyCase) => {
        const runs = (await replaysOf(workload)).get(policyCase.name) ?? [];
        expect(runs).toHaveLength(workload.expectedPaths);
        for (const { events, replay: run } of runs) {
          const label = `${policyCase.name} on ${describePath(events)}`;
          expect(checkInvariants(run.trace, policyCase.order(workload)), label).toEqual([]);
          expect(Object.values(run.statuses), label).toEqual(workload.tasks.map(() => 'completed'));
          expect(run.starts, label).toHaveLength(workload.tasks.length);
          const retries = run.trace.events.filter((e) => e.from === 'running' && e.to === 'pending');
          expect(retries, label).toHaveLength(events.filter((e) => e.type === 'fail.oldest').length);
        }
      });
    });
  }

  it.each(WORKLOADS)('critical-path by name dispatches as when told the setting, on every path of "$name"', async (workload) => {
    const byCase = await replaysOf(workload);
    const starts = (name: string) => (byCase.get(name) ?? []).map(({ replay: run }) => run.trace.events.filter((e) => e.to === 'running').map((e) => `${e.task}@${e.time}`));
    expect(starts('critical-path')).toHaveLength(workload.expectedPaths);
    expect(starts('critical-path')).toEqual(starts('critical-path + setting'));
  });

  it.each(POLICY_CASES)('$name starts tasks in its own order where the rankings disagree', async (policyCase) => {
    let checked = 0;
    for (const workload of WORKLOADS) {
      const runs = (await replaysOf(workload)).get(policyCase.name) ?? [];
      const expectedStarts = workload.expectedStarts?.[policyCase.name];
      if (expectedStarts !== undefined) {
        const plain = runs.find((run) => run.events.every((e) => e.type === 'finish.oldest'));
        expect(plain?.replay.starts, workload.name).toEqual(expectedStarts);
        checked += 1;
      }
      const expectedFirst = workload.expectedFirstRunning?.[policyCase.name];
      if (expectedFirst !== undefined) {
        // The first dispatch happens before any environment event, so it is the same on every path.
        for (const { replay: run } of runs) expect(run.firstRunning, workload.name).toEqual(expectedFirst);
        checked += 1;
      }
    }
    expect(checked).toBe(4);
  });
});
