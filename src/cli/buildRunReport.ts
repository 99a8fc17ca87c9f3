import type { ReplayableReport } from '../simulate/replayOf.js';
import type { AttemptUsage, BackupRecord, EstimateSource, PolicyName, TaskStatus } from '../types.js';
import type { ResumedRun } from './openRunState.js';
import type { TaskRunState } from './trackTaskRuns.js';

/** One task in a {@link RunReport}. */
export interface TaskReport {
  readonly name: string;
  readonly status: TaskStatus;
  /** Runs started. */
  readonly attempts: number;
  /** Time spent running, over every attempt, in ms. */
  readonly durationMs: number;
  /** Time spent ready but queued for a worker or resources, in ms. */
  readonly waitMs: number;
  /** Why it failed or was cancelled. */
  readonly error?: string;
  /** The tail of a command's standard output. */
  readonly output?: string;
  /** In a distributed run: the node its latest attempt went to. */
  readonly node?: string;
  /** With `--history`: it completed from the history without running. */
  readonly cached?: true;
  /** With `--history`: why a cacheable task ran (`inputs/c1.txt changed`, `no entry`…). */
  readonly ranBecause?: string;
  /** The estimate it was planned with (ms) and where it came from: `declared`, or learned with `--history` (`task`, `command`, `type`, `default`). */
  readonly estimateMs?: number;
  readonly estimateSource?: EstimateSource;
  /** What its latest attempt that ended used: duration (ms), peak memory (bytes) and CPU time (ms), and how they were measured. */
  readonly usage?: AttemptUsage;
  /** The task that spawned it (`XENO_SPAWN_FILE`), or whose race it ran in. */
  readonly parent?: string;
  /** With `--speculate`: how the backup copy of its last attempt ended (`won`: the task completed with the backup's result). */
  readonly backup?: BackupRecord['outcome'];
  /** Cancelled while an attempt ran (a stop, a lost race, a cancelled parent): its processes were killed. Absent otherwise. */
  readonly stoppedRunning?: true;
}

/** The totals of a {@link RunReport}. */
export interface RunSummary {
  readonly workload: string;
  readonly policy: PolicyName;
  readonly maxWorkers: number;
  readonly total: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Of the completed tasks, those that completed from the history without running (`--history`). */
  readonly cached: number;
  /** Tasks that never ended (only after an interruption that could not cancel them). */
  readonly unfinished: number;
  /** Wall-clock time of the run, in ms. */
  readonly elapsedMs: number;
  /** The signal that interrupted the run, or null. */
  readonly interruptedBy: NodeJS.Signals | null;
  readonly exitCode: number;
  /** With `--state`: what the stored run had done before this one resumed it. */
  readonly resumed?: ResumedRun;
}

/** What `xeno-scheduler run --json` prints and `--report` writes. */
export interface RunReport {
  readonly tasks: readonly TaskReport[];
  readonly summary: RunSummary;
  /** The run's trace (every transition, wall-clock ms) and policy options: what `simulate --replay` reads. */
  readonly replay?: ReplayableReport['replay'];
}

/** What {@link buildRunReport} needs besides the tasks. */
export type RunFacts = Omit<RunSummary, 'total' | 'completed' | 'failed' | 'cancelled' | 'cached' | 'unfinished'>;

/**
 * The JSON document of a run: each task's status, attempts, times (whole ms), error and command
 * output tail, the totals, and (when given) the trace that `simulate --replay` re-runs.
 *
 * @example
 * const report = buildRunReport(tracker.tasks(), { workload: file, policy, maxWorkers, elapsedMs, interruptedBy: null, exitCode: 0 });
 * report.summary.completed === report.summary.total;
 */
export function buildRunReport(tasks: readonly TaskRunState[], facts: RunFacts, replay?: RunReport['replay']): RunReport {
  const count = (status: TaskStatus): number => tasks.filter((task) => task.status === status).length;
  const completed = count('completed');
  const failed = count('failed');
  const cancelled = count('cancelled');
  return {
    tasks: tasks.map((task) => ({
      name: task.name,
      status: task.status,
      attempts: task.attempts,
      durationMs: Math.round(task.durationMs),
      waitMs: Math.round(task.waitMs),
      ...(task.status !== 'completed' && task.error !== undefined ? { error: task.error } : {}),
      ...(task.output === undefined ? {} : { output: task.output }),
      ...(task.node === undefined ? {} : { node: task.node }),
      ...(task.cached === true ? { cached: true as const } : {}),
      ...(task.ranBecause === undefined ? {} : { ranBecause: task.ranBecause }),
      ...(task.estimateMs === undefined ? {} : { estimateMs: task.estimateMs }),
      ...(task.estimateSource === undefined ? {} : { estimateSource: task.estimateSource }),
      ...(task.usage === undefined ? {} : { usage: task.usage }),
      ...(task.parent === undefined ? {} : { parent: task.parent }),
      ...(task.backup === undefined ? {} : { backup: task.backup }),
      ...(task.stoppedRunning === true ? { stoppedRunning: true as const } : {}),
    })),
    summary: {
      ...facts,
      elapsedMs: Math.round(facts.elapsedMs),
      total: tasks.length,
      completed,
      failed,
      cancelled,
      cached: tasks.filter((task) => task.cached === true).length,
      unfinished: tasks.length - completed - failed - cancelled,
    },
    ...(replay === undefined ? {} : { replay }),
  };
}
