import type { SchedulerEvents } from '../events.js';
import type { Scheduler } from '../core/scheduler.js';
import type { AttemptUsage, BackupRecord, EstimateSource, TaskRecord, TaskStatus } from '../types.js';

/** What the CLI knows about one task of a run. */
export interface TaskRunState {
  readonly name: string;
  readonly status: TaskStatus;
  /** Runs started so far. */
  readonly attempts: number;
  /**
   * Time spent running, over every attempt this process saw, in ms. For a task of a resumed run:
   * a task that ended before has its last attempt's time, and an attempt that was running when the
   * earlier process stopped counts from when this one resumed it.
   */
  readonly durationMs: number;
  /** Time spent ready but waiting for a worker or resources, over every attempt, in ms. */
  readonly waitMs: number;
  /** When the current attempt started (ms since the epoch), while running; when this process resumed it, for an attempt of an earlier process. */
  readonly runningSince: number | undefined;
  /** Why the task failed or was cancelled (or the last failed attempt's error while it retries). */
  readonly error: string | undefined;
  /** The end of a command's standard output, when it ran one. */
  readonly output: string | undefined;
  /** In a distributed run: the node its latest attempt went to. */
  readonly node?: string | undefined;
  /** It completed from the history without running (`--history`). */
  readonly cached?: boolean;
  /** Why a cacheable task ran (`--history`): `inputs/c1.txt changed`, `no entry`… */
  readonly ranBecause?: string | undefined;
  /** Names of the tasks it waits for. */
  readonly dependencies?: readonly string[];
  /** The estimate the scheduler plans it with, and where it came from (declared, or learned with `--history`). */
  readonly estimateMs?: number | undefined;
  readonly estimateSource?: EstimateSource | undefined;
  /** What its latest attempt that ended used: duration, peak memory, CPU time. */
  readonly usage?: AttemptUsage | undefined;
  /** The task that spawned it, or whose race it ran in. */
  readonly parent?: string | undefined;
  /** With `--speculate`: how the backup copy of its last attempt ended (`won`: the task completed with its result). */
  readonly backup?: BackupRecord['outcome'] | undefined;
  /** It was cancelled while an attempt ran (a stop, a lost race, a cancelled parent): that attempt was cut short. */
  readonly stoppedRunning?: boolean;
}

/** A state change, as the progress views print it. */
export interface TaskChange {
  readonly kind: 'started' | 'retrying' | TaskStatus;
  readonly task: TaskRunState;
  /** Retry delay (for `retrying`) in ms. */
  readonly delayMs?: number;
}

/** Options of {@link trackTaskRuns}. */
export interface TrackTaskRunsOptions {
  /**
   * The scheduler's clock, for the moments no task record carries (when a failed attempt ended).
   * @default Date.now
   */
  readonly now?: () => number;
}

/** What {@link trackTaskRuns} returns. */
export interface TaskRunTracker {
  /** Every task in the order it was scheduled. */
  tasks(): TaskRunState[];
  /** Calls `listener` after every state change; returns a function that removes it. */
  onChange(listener: (change: TaskChange) => void): () => void;
  /** Stops listening to the scheduler. */
  stop(): void;
}

const NEW_TASK: TaskRunState = {
  name: '',
  status: 'pending',
  attempts: 0,
  durationMs: 0,
  waitMs: 0,
  runningSince: undefined,
  error: undefined,
  output: undefined,
  node: undefined,
};

/** What the progress's ETA reads of a task's record: its dependencies and planned estimate. */
function plannedOf(record: TaskRecord): Pick<TaskRunState, 'dependencies' | 'estimateMs' | 'estimateSource'> {
  return { dependencies: record.dependencies, estimateMs: record.estimateMs, estimateSource: record.estimateSource };
}

/** Lines and characters of a command's output kept for the report. */
const OUTPUT_TAIL_LINES = 20;
const OUTPUT_TAIL_CHARS = 2000;

/** The last lines of a command's output, or undefined for none. */
function tail(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const lines = text.trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');
  if (lines === '') return undefined;
  return lines.length > OUTPUT_TAIL_CHARS ? `…${lines.slice(-OUTPUT_TAIL_CHARS)}` : lines;
}

/** stdout of a command task's result or of its CommandFailedError. */
function stdoutOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && 'stdout' in value ? tail(value.stdout) : undefined;
}

/**
 * Follows a scheduler's task events and keeps, per task, its status, attempts, time running and
 * time waiting in the ready queue (not counting dependencies or retry backoff), its error and the
 * tail of a command's output: what the progress views show and the summary and report hold.
 *
 * @example
 * const tracker = trackTaskRuns(scheduler);
 * tracker.onChange(({ kind, task }) => console.log(kind, task.name));
 * await scheduler.onIdle();
 * console.table(tracker.tasks());
 */
export function trackTaskRuns(scheduler: Scheduler, options: TrackTaskRunsOptions = {}): TaskRunTracker {
  const { now = Date.now } = options;
  const states = new Map<string, TaskRunState>();
  /** When each task's latest attempt started: a `readyAt` before it belongs to an earlier wait. */
  const lastStartedAt = new Map<string, number>();
  /** Parents and races waiting for their children: they wait for no worker, so the time is no queue wait. */
  const awaitingChildren = new Set<string>();
  const listeners = new Set<(change: TaskChange) => void>();
  /** When this tracker began: a resumed task's wait counts from here, not from the earlier process. */
  const resumedAt = now();
  /** When a task became ready, as far as this process saw: the time no process ran is no wait. */
  const readySince = (record: TaskRecord): number | undefined => (record.readyAt === undefined ? undefined : Math.max(record.readyAt, resumedAt));

  const update = (id: string, change: Partial<TaskRunState>, kind: TaskChange['kind'], delayMs?: number): void => {
    const before = states.get(id);
    if (before === undefined) return;
    const task = { ...before, ...change };
    states.set(id, task);
    const event: TaskChange = delayMs === undefined ? { kind, task } : { kind, task, delayMs };
    for (const listener of listeners) listener(event);
  };
  /** Running time so far, the attempt that just ended included. */
  const ranFor = (id: string, end: number): number => {
    const state = states.get(id);
    return (state?.durationMs ?? 0) + (state?.runningSince === undefined ? 0 : end - state.runningSince);
  };
  /** Queue time so far, a wait that ends without a start (cancelled while queued) included. */
  const waitedFor = (record: TaskRecord, end: number): number => {
    const state = states.get(record.id);
    const readyAt = readySince(record);
    const isQueued =
      state?.runningSince === undefined && !awaitingChildren.has(record.id) && readyAt !== undefined && readyAt > (lastStartedAt.get(record.id) ?? -Infinity);
    return (state?.waitMs ?? 0) + (isQueued ? end - readyAt : 0);
  };
  const finish = (record: TaskRecord, status: TaskStatus, extra: Partial<TaskRunState>): void => {
    const end = record.completedAt ?? now();
    const times = { durationMs: ranFor(record.id, end), waitMs: waitedFor(record, end) };
    update(record.id, { status, ...times, runningSince: undefined, node: record.node, usage: record.usage, backup: record.backup?.outcome, ...extra }, status);
  };

  const onEvent = (type: keyof SchedulerEvents, event: SchedulerEvents[keyof SchedulerEvents]): void => {
    if (event === undefined || !('task' in event)) return;
    const payload = event;
    const { task } = payload;
    switch (type) {
      case 'task:scheduled':
        states.set(task.id, { ...NEW_TASK, name: task.name, ...plannedOf(task), ...(task.parent === undefined ? {} : { parent: task.parent }) });
        return;
      case 'task:started': {
        const start = task.startedAt ?? now();
        lastStartedAt.set(task.id, start);
        awaitingChildren.delete(task.id);
        const waitMs = (states.get(task.id)?.waitMs ?? 0) + start - (readySince(task) ?? start);
        // Its plan too: a resumed task learns its estimate when the run schedules it again.
        update(task.id, { status: 'running', attempts: task.attempts, runningSince: start, waitMs, node: task.node, ranBecause: task.ranBecause, ...plannedOf(task) }, 'started');
        return;
      }
      case 'task:waiting':
        if (task.pendingReason !== 'children') return;
        awaitingChildren.add(task.id);
        // Its work returned and it waits for its children: it holds no worker, so it runs no more
        // (the only `pending` change it reports).
        if (states.get(task.id)?.runningSince !== undefined) {
          update(task.id, { status: 'pending', durationMs: ranFor(task.id, now()), runningSince: undefined }, 'pending');
        }
        return;
      case 'task:retrying': {
        const { error, delayMs } = payload as SchedulerEvents['task:retrying'];
        const change = { status: 'pending', durationMs: ranFor(task.id, now()), runningSince: undefined, error: error.message, output: stdoutOf(error), usage: task.usage } as const;
        update(task.id, change, 'retrying', delayMs);
        return;
      }
      case 'task:completed':
      {
        const { result, cached } = payload as SchedulerEvents['task:completed'];
        finish(task, 'completed', { error: undefined, output: stdoutOf(result), cached, ranBecause: task.ranBecause });
      }
        return;
      case 'task:failed': {
        const { error } = payload as SchedulerEvents['task:failed'];
        finish(task, 'failed', { error: error.message, output: stdoutOf(error) });
        return;
      }
      case 'task:cancelled':
        finish(task, 'cancelled', { error: (payload as SchedulerEvents['task:cancelled']).reason, stoppedRunning: states.get(task.id)?.runningSince !== undefined });
        return;
    }
  };
  // A run resumed from a store starts with the tasks it recovered, as they were. An attempt that
  // was running when the earlier process stopped (re-attached to, on a distributed run) counts from
  // now: how long it ran before, and when that process died, is not known, and the time it was
  // down is no task's running time.
  for (const task of scheduler.listTasks()) {
    const error = task.status === 'completed' ? undefined : task.error?.message;
    const runningSince = task.status === 'running' ? Math.max(task.startedAt ?? resumedAt, resumedAt) : undefined;
    if (task.status === 'running') lastStartedAt.set(task.id, task.startedAt ?? resumedAt);
    if (task.pendingReason === 'children') awaitingChildren.add(task.id);
    const durationMs = task.startedAt !== undefined && task.completedAt !== undefined ? Math.max(0, task.completedAt - task.startedAt) : 0;
    states.set(task.id, { ...NEW_TASK, name: task.name, status: task.status, attempts: task.attempts, error, output: stdoutOf(task.result), runningSince, durationMs, node: task.node, cached: task.cached, ranBecause: task.ranBecause, ...plannedOf(task), ...(task.parent === undefined ? {} : { parent: task.parent }) });
  }
  scheduler.events.on('*', onEvent);

  return {
    tasks: () => [...states.values()],
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      scheduler.events.off('*', onEvent);
      listeners.clear();
    },
  };
}
