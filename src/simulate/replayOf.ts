import { POLICY_NAMES } from '../policies/resolvePolicy.js';
import type { PolicyName, PolicyOptions } from '../types.js';
import { computeMetrics } from './computeMetrics.js';
import type { ReplayAttempt, ReplayTask, SimulationMetrics, SimulationWorkload, Trace, TraceEvent } from './types.js';

/** What {@link replayOf} reads of a run report (`xeno-scheduler run --report`): its `replay` section. */
export interface ReplayableReport {
  readonly replay: {
    /** Every transition of the real run, recorded by `recordTrace` with the wall clock. */
    readonly trace: Trace;
    /** The options of the run's policy (aging, backfill, group weights). */
    readonly policyOptions?: PolicyOptions;
  };
}

/** A real run as a workload: its tasks with their measured attempts, its setting, and its metrics. */
export interface ReplayWorkload extends SimulationWorkload {
  readonly tasks: readonly ReplayTask[];
  readonly maxWorkers: number;
  readonly resources: Readonly<Record<string, number>>;
  /** The real run's policy when it is a built-in one. */
  readonly policy?: PolicyName;
  readonly policyOptions?: PolicyOptions;
  /** The real run's own metrics (makespan, waits), computed from its trace. */
  readonly real: SimulationMetrics;
}

/**
 * Turns a run report into a workload that {@link simulate} replays with each task's measured
 * durations, attempt by attempt: an attempt that failed fails again after the same time, and
 * the next waits the backoff the real run waited. A task that never ran (cancelled) gets one
 * attempt of its estimate; one that completed without running (from the history) one of 0 ms. Throws a TypeError naming the field when the report has no trace.
 *
 * @example
 * const report = JSON.parse(readFileSync('run.json', 'utf8'));
 * const replay = replayOf(report);
 * const { metrics } = await simulate(replay, { policy: 'fifo' });
 * metrics.makespanMs / replay.real.makespanMs; // what fifo would have taken, relative to the real run
 */
export function replayOf(report: ReplayableReport): ReplayWorkload {
  const trace = (report as Partial<ReplayableReport> | null)?.replay?.trace;
  if (!trace || !Array.isArray(trace.tasks) || !Array.isArray(trace.events)) {
    throw new TypeError(
      'replayOf: expected a run report with `replay.trace` (written by `xeno-scheduler run --report`), found ' +
        (trace === undefined ? 'no `replay.trace`' : 'a `replay.trace` without `tasks` and `events` lists'),
    );
  }
  const eventsOf = new Map<string, TraceEvent[]>(trace.tasks.map((task) => [task.id, []]));
  for (const event of trace.events) {
    const events = eventsOf.get(event.task);
    if (events === undefined) {
      // Tasks recovered from a store are never scheduled in the run that resumes them.
      throw new TypeError(
        `replayOf: expected a trace that saw every task scheduled, found events of task "${event.task}", which it never saw scheduled: ` +
          'the report is of a resumed run (tasks recovered from a store), which cannot be replayed; replay a run recorded from its start (without --state, or with --fresh)',
      );
    }
    events.push(event);
  }
  const tasks = trace.tasks.map((task): ReplayTask => {
    const events = eventsOf.get(task.id) ?? [];
    const { attempts, delays } = attemptsOf(events);
    // A task that completed without an attempt came from the history (incremental runs): it takes no time.
    const fromHistory = attempts.length === 0 && events.some((event) => event.to === 'completed');
    const measured = attempts.length > 0 ? attempts : [{ durationMs: fromHistory ? 0 : (task.estimateMs ?? 0), outcome: 'completed' as const }];
    return {
      name: task.id,
      priority: task.priority,
      dependencies: task.dependencies,
      resources: task.resources,
      estimateMs: task.estimateMs ?? undefined,
      duration: { distribution: 'fixed', valueMs: (measured[0] as ReplayAttempt).durationMs },
      group: task.group,
      attempts: measured,
      retry: backoffOf(delays),
    };
  });
  const policy = POLICY_NAMES.find((name) => name === trace.policy);
  return {
    tasks,
    maxWorkers: trace.maxWorkers,
    resources: trace.resources,
    ...(policy === undefined ? {} : { policy }),
    ...(report.replay.policyOptions === undefined ? {} : { policyOptions: report.replay.policyOptions }),
    real: computeMetrics(trace),
  };
}

/** Each attempt: from its `→ running` event to the task's next event. */
function attemptsOf(events: readonly TraceEvent[]): { attempts: ReplayAttempt[]; delays: number[] } {
  const attempts: ReplayAttempt[] = [];
  const delays: number[] = [];
  events.forEach((event, at) => {
    const end = events[at + 1];
    if (event.to !== 'running' || end === undefined) return;
    attempts.push({ durationMs: Math.max(0, end.time - event.time), outcome: end.to === 'completed' ? 'completed' : 'failed' });
    if (end.retryDelayMs !== undefined) delays.push(end.retryDelayMs);
  });
  return { attempts, delays };
}

/** The scheduler's geometric backoff that gives these delays (exact for the delays it produced). */
function backoffOf(delays: readonly number[]): ReplayTask['retry'] {
  const first = delays[0] ?? 0;
  const second = delays[1];
  const factor = second !== undefined && first > 0 ? Math.max(1, second / first) : 1;
  return { backoffMs: first, backoffFactor: factor, maxBackoffMs: Math.max(first, ...delays) };
}
