import { createScheduler } from '../core/createScheduler.js';
import { resolvePolicy, type ResolvePolicyOptions } from '../policies/resolvePolicy.js';
import type { PolicyName, SchedulingPolicy, TaskSpec } from '../types.js';
import type { UsageLearner } from '../usageTypes.js';
import { computeMetrics } from './computeMetrics.js';
import { drawDurations } from './drawDurations.js';
import { normalizeWorkload } from './normalizeWorkload.js';
import { recordTrace } from './recordTrace.js';
import { SimulationClock } from './SimulationClock.js';
import { withSetting } from './withSetting.js';
import { speculativeRun } from './speculativeRun.js';
import { LOAD_BALANCING_MODES, simulateOnNodes } from './simulateOnNodes.js';
import type { SimulatedLoadBalancing, SimulatedNode, SimulationMetrics, SimulationTask, SimulationWorkload, Trace } from './types.js';

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** A built-in policy name or a policy object (used for this run only). @default the workload's, else 'priority' */
  readonly policy?: PolicyName | SchedulingPolicy;
  /** Options for a built-in policy: aging, backfill, group weights. @default the workload's, else {} */
  readonly policyOptions?: ResolvePolicyOptions;
  /** Worker slots. @default the workload's, else 4 */
  readonly maxWorkers?: number;
  /** Resource pool capacities. @default the workload's, else the scheduler's default pools */
  readonly resources?: Readonly<Record<string, number>>;
  /** Seed of the duration draws; the same workload, options and seed give the same trace. @default 0 */
  readonly seed?: number;
  /**
   * A cluster of unequal nodes instead of one pool of workers: each node with its own workers,
   * resources and speed (see {@link simulateOnNodes}). `maxWorkers` and `resources` are then
   * ignored. @default none (one scheduler, `maxWorkers` workers)
   */
  readonly nodes?: Readonly<Record<string, SimulatedNode>>;
  /**
   * How a task picks its node when `nodes` is given.
   * @default 'earliest_finish' (HEFT) for `critical-path`, 'round_robin' for every other policy
   */
  readonly loadBalancing?: SimulatedLoadBalancing;
  /**
   * Learned estimates (e.g. `new LearnedEstimates()`, or a history's): a task without an estimate
   * is planned with the learned one (of its name, else the default), `auto` requests are resolved
   * from it, and, on one pool of workers, every simulated attempt teaches it its virtual duration
   * (so a second `simulate` with the same object plans with what the first measured).
   * @default none: policies see only declared estimates
   */
  readonly estimates?: UsageLearner;
  /**
   * Backup copies of stragglers: an idempotent task (`idempotent: true`) with an estimate that has
   * run this many times its estimate gets a backup copy when a worker is free and no ready task
   * of higher priority waits; the first to finish wins, the other is cancelled (see
   * {@link speculativeRun}). Drawn and replayed workloads alike; not with `nodes`.
   * @default undefined: off
   */
  readonly speculate?: number;
}

/** What {@link simulate} returns. */
export interface SimulationResult {
  readonly trace: Trace;
  readonly metrics: SimulationMetrics;
}

/** Yields to the event loop once: every promise reaction queued so far (and those they queue) runs. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs a workload through the real scheduler under a simulated clock and returns the trace of
 * every transition with its virtual time, and its metrics. Each task's work is a promise that a
 * clock timer resolves after its duration (its estimate, or a draw from its distribution with a
 * seeded generator, rounded to the millisecond; draws happen up front in workload order, so every
 * policy sees the same durations for a seed). The driver alternates: let the scheduler react until
 * it is quiet, then move the clock to the next due timer. Timeouts, retries and the dependency
 * timeout are turned off, except that a replayed task (`replayOf`) runs exactly its measured
 * attempts, failures and retry backoff included; a task that cannot run at all makes `simulate`
 * throw.
 *
 * @example
 * const { trace, metrics } = await simulate(
 *   { tasks: { build: { estimate: 30 }, test: { estimate: 60, dependencies: ['build'] } } },
 *   { policy: 'critical-path', maxWorkers: 2, seed: 1 },
 * );
 * metrics.makespanMs; // 90000
 */
export async function simulate(workload: SimulationWorkload, options: SimulateOptions = {}): Promise<SimulationResult> {
  const learned = options.estimates;
  const tasks = normalizeWorkload(workload, learned);
  const alternatives = tasks.flatMap((task) => task.race ?? []);
  // A race's alternatives draw after every task, so a workload without races draws as it always did.
  const draws = drawDurations([...tasks, ...alternatives], options.seed ?? 0);
  const durations = draws.slice(0, tasks.length);
  const alternativeMs = new Map(alternatives.map((alternative, at) => [alternative.id, draws[tasks.length + at] ?? 0]));
  const speculate = options.speculate;
  if (speculate !== undefined && !(Number.isFinite(speculate) && speculate > 0)) {
    throw new TypeError(`simulate: expected speculate to be a number > 0 (a multiple of a task's estimate), received ${String(speculate)}`);
  }
  // A backup's duration is another draw from the task's distribution: another seed, same tasks.
  const backups = speculate === undefined ? [] : drawDurations(tasks, (options.seed ?? 0) + 1);
  const policy = resolvePolicy(options.policy ?? workload.policy ?? 'priority', options.policyOptions ?? workload.policyOptions);
  if (options.nodes !== undefined) {
    const race = tasks.find((task) => task.race !== undefined);
    if (race !== undefined) throw new TypeError(`simulate: expected a workload without races with nodes, received the race "${race.id}" (simulate it on one pool of workers)`);
    // No scheduler places tasks on nodes here: the learned estimates are filled in up front.
    const planned = learned === undefined ? tasks : tasks.map((task) => ({ ...task, estimateMs: task.estimateMs ?? learned.estimate({ name: task.id, runs: '', type: 'generic' }).ms }));
    return onNodes(planned, durations, policy, options.nodes, options.loadBalancing);
  }
  const clock = new SimulationClock();
  const resources = options.resources ?? workload.resources;
  const maxWorkers = options.maxWorkers ?? workload.maxWorkers ?? 4;
  const scheduler = createScheduler({
    clock,
    policy: withSetting(policy, { maxWorkers, ...(resources ? { capacity: resources } : {}) }),
    maxWorkers,
    ...(resources ? { resources } : {}),
    defaultTimeoutMs: 0,
    dependencyTimeoutMs: 0,
    defaultRetry: { attempts: 1 },
    maxDependencyDepth: Math.max(1, tasks.length + alternatives.length),
    maxFinishedRecords: Math.max(1, tasks.length + alternatives.length),
    ...(learned === undefined ? {} : { estimates: learned }),
  });
  const recorder = recordTrace(scheduler, { now: () => clock.now(), policy: policy.name });
  const placed = (task: SimulationTask): TaskSpec => ({
    id: task.id,
    priority: task.priority,
    dependencies: task.dependencies,
    resources: task.resources,
    group: task.group,
    ...(task.estimateMs === undefined ? {} : { estimateMs: task.estimateMs }),
  });
  const sleep = (durationMs: number) => (): Promise<void> => new Promise<void>((resolve) => clock.setTimeout(() => resolve(), durationMs));
  // A race runs its alternatives as its children, as a live run does: the first to finish wins, the others are cancelled.
  const raceOf = (task: SimulationTask, race: readonly SimulationTask[]): TaskSpec => {
    const { resources: _none, ...own } = placed(task);
    return { ...own, race: race.map((alternative) => ({ ...placed(alternative), run: sleep(alternativeMs.get(alternative.id) ?? 0) })) };
  };
  const specs = tasks.map((task, at): TaskSpec => task.race !== undefined ? raceOf(task, task.race) : ({
    ...placed(task),
    ...(task.replay ? { retry: { attempts: task.replay.attempts.length, ...task.replay.retry } } : {}),
    // Backed up as in a live run: idempotent, with a bound (an estimate of 0 is none).
    run:
      speculate !== undefined && task.idempotent === true && task.estimateMs !== undefined && task.estimateMs > 0 && task.replay === undefined
        ? speculativeRun({ scheduler, clock, maxWorkers, task, durationMs: durations[at] ?? 0, backupMs: backups[at] ?? 0, afterEstimates: speculate })
        : ({ attempt }) => {
      const replayed = task.replay?.attempts[attempt - 1];
      const durationMs = replayed ? replayed.durationMs : (durations[at] ?? 0);
      return new Promise<void>((resolve, reject) =>
        clock.setTimeout(() => (replayed?.outcome === 'failed' ? reject(new Error(`attempt ${attempt} failed in the replayed run`)) : resolve()), durationMs),
      );
    },
  }));
  try {
    scheduler.scheduleTasks(specs);
    for (;;) {
      await settle();
      const next = clock.nextDueTime();
      if (next === undefined) break;
      // Attempts that end at the same instant are all seen before the next dispatch, as they
      // would be by a pump that ran a moment later: paused, the scheduler takes in every outcome
      // (and the tasks it unblocks) without starting anything, then dispatches once.
      const isCrowded = clock.dueCountAt(next) > 1;
      if (isCrowded) scheduler.pause();
      clock.advanceTo(next);
      if (isCrowded) {
        await settle();
        scheduler.resume();
      }
    }
    const stats = scheduler.getStats();
    if (stats.pending + stats.running > 0) {
      throw new Error(
        `simulate: expected every task to finish, but ${stats.pending} pending and ${stats.running} running tasks wait on nothing at ${clock.now()} ms`,
      );
    }
  } finally {
    recorder.stop();
    await scheduler.stop();
  }
  const trace = recorder.trace;
  return { trace, metrics: computeMetrics(trace) };
}

function onNodes(
  tasks: readonly SimulationTask[],
  durations: readonly number[],
  policy: SchedulingPolicy,
  nodes: Readonly<Record<string, SimulatedNode>>,
  loadBalancing: SimulatedLoadBalancing | undefined,
): SimulationResult {
  if (Object.keys(nodes).length === 0) throw new TypeError('simulate: expected nodes to name at least one node, received {}');
  if (loadBalancing !== undefined && !LOAD_BALANCING_MODES.includes(loadBalancing)) {
    throw new TypeError(`simulate: expected loadBalancing to be one of ${LOAD_BALANCING_MODES.join(', ')}, received ${JSON.stringify(loadBalancing)}`);
  }
  if (tasks.some((task) => task.replay !== undefined)) {
    throw new TypeError('simulate: expected a workload without replayed attempts with nodes, received a replay (replay on one pool of workers)');
  }
  const mode = loadBalancing ?? (policy.name === 'critical-path' ? 'earliest_finish' : 'round_robin');
  const trace = simulateOnNodes(tasks, durations, policy, nodes, mode);
  return { trace, metrics: computeMetrics(trace) };
}
