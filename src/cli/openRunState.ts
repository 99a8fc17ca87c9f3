import { existsSync, rmSync, statSync } from 'node:fs';
import { TaskStoreError } from '../errors.js';
import { sqliteStore, type SqliteTaskStore } from '../stores/sqlite/sqliteStore.js';
import type { TaskSpec } from '../types.js';
import type { WorkloadTask } from '../config/workloadTypes.js';
import { compareStoredWork, compareWithStoredRun, type RunWork } from './compareWithStoredRun.js';
import type { StoredTaskState } from '../core/TaskStore.js';
import type { ReattachedAttempts } from './reattachedAttempts.js';
import type { TaskRunState } from './trackTaskRuns.js';
import { wasStopped } from '../stores/wasStopped.js';

/** The store note that keeps what each task of the run runs. */
const WORK_NOTE = 'work';

/** What a resumed run had done before: the summary's "resumed" line and the report's `resumed`. */
export interface ResumedRun {
  /** The store file. */
  readonly state: string;
  /** Tasks that had finished (by status): they are not run again. */
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  /**
   * Tasks that were running when the last run stopped: that attempt counts as interrupted, unless
   * a distributed run re-attached to its job (see `reattached`).
   */
  readonly interrupted: readonly string[];
  /**
   * Attempts the store shows interrupted by earlier crashes and handed back by earlier resumes
   * (`interrupted` transitions): with those of `interrupted`, what counts against each task's
   * `max_interruptions`, never against its retries.
   */
  readonly interruptedBefore: number;
  /** Tasks whose attempt the last run's stop (a Ctrl-C) cut short: they start again, that attempt not counted. */
  readonly stopped: readonly string[];
  /** Tasks that were waiting (those above included): they wait again. */
  readonly pending: number;
  /** A distributed run: what the restarted coordinator found of the jobs of those attempts. */
  readonly reattached?: ReattachedAttempts;
}

/** A run's store, opened for `xeno-scheduler run --state`. */
export interface RunState {
  readonly store: SqliteTaskStore;
  /** Undefined when the run starts afresh (no store, `--fresh`, or a store that holds no task). */
  readonly resumed: ResumedRun | undefined;
  /**
   * The tasks that had finished before this run resumed the store, in the store's order, as the
   * summary lists them: the scheduler keeps the records of the last `maxFinishedRecords` finished
   * tasks only, and the store is what says how the whole run went (see {@link withStoredTasks}).
   */
  readonly finishedBefore: readonly TaskRunState[];
  /**
   * The children commands had spawned (XENO_SPAWN_FILE) that had not finished, made again from
   * the workload tasks the store kept of them: scheduled with the workload's, they get their
   * work back (their parents' commands do not run again). Empty when the run starts afresh.
   */
  readonly respawned: readonly TaskSpec[];
}

/**
 * The unfinished spawned children a store kept the workload task of, made into specs again with
 * `rebuild`: a race's alternatives come with their race, so only the race is made.
 */
function respawnedChildren(states: readonly StoredTaskState[], rebuild: (tasks: WorkloadTask[]) => TaskSpec[]): TaskSpec[] {
  const unfinished = states.filter((state) => state.task.parent !== undefined && (state.status === 'pending' || state.status === 'running'));
  const tasks = unfinished.flatMap((state) => (state.task.work === undefined ? [] : [state.task.work as WorkloadTask]));
  return tasks.length === 0 ? [] : rebuild(tasks);
}

/** A finished task of the store as the summary lists it (its last attempt's time running). */
function toFinishedTask(state: StoredTaskState): TaskRunState {
  const { startedAt, completedAt } = state;
  return {
    name: state.task.name,
    status: state.status,
    attempts: state.attempt,
    durationMs: startedAt !== undefined && completedAt !== undefined ? Math.max(0, completedAt - startedAt) : 0,
    waitMs: 0,
    runningSince: undefined,
    error: state.status === 'completed' ? undefined : (state.error?.message ?? state.cancelReason),
    output: undefined,
    ...(state.task.parent === undefined ? {} : { parent: state.task.parent }),
  };
}

/**
 * The tasks of a run for its summary, `--json`, `--report` and exit code: those `tracked` in this
 * process, after the ones of a resumed store that had finished before and that the scheduler no
 * longer keeps a record of (past `maxFinishedRecords`). Without them a resumed run of 10,101 tasks
 * with one failure would say "10000 tasks: 10000 completed" and exit 0.
 *
 * @example
 * const tasks = withStoredTasks(tracker.tasks(), runState);
 */
export function withStoredTasks(tracked: readonly TaskRunState[], state: RunState | undefined): TaskRunState[] {
  if (state === undefined || state.finishedBefore.length === 0) return [...tracked];
  const listed = new Set(tracked.map((task) => task.name));
  return [...state.finishedBefore.filter((task) => !listed.has(task.name)), ...tracked];
}

/**
 * Whether a resumed run has nothing left: no task waits or was running, and the workload adds no
 * task (a race's alternatives and spawned children are in the store, not in `specs`).
 *
 * @example
 * if (isFinishedRun(state, specs)) console.log('nothing to run');
 */
export function isFinishedRun(state: RunState | undefined, specs: readonly TaskSpec[]): boolean {
  const resumed = state?.resumed;
  if (resumed === undefined || resumed.pending > 0 || resumed.interrupted.length > 0) return false;
  const stored = new Set(state?.finishedBefore.map((task) => task.name));
  return specs.every((spec) => stored.has(spec.id as string));
}

/**
 * Opens the store of `run --state <file>`: with `fresh`, a store that is there is checked to be
 * one (never another file) and removed; otherwise a stored run is compared with the workload
 * first (each task's spec, and the command or module of each task that already ran), and
 * refused, unchanged, when they conflict. The store then keeps what each task runs, for the next resume to compare.
 * Spawned children that had not finished are made again with `rebuild` from the workload tasks
 * the store kept of them (`respawned`), as the workload's tasks are made.
 *
 * @throws TaskStoreError naming the file, listing every difference
 * @example
 * const { store, resumed, respawned } = openRunState('run.db', specs, work, false, (tasks) => toTaskSpecs({ ...workload, tasks }));
 */
export function openRunState(file: string, specs: readonly TaskSpec[], work: RunWork, fresh: boolean, rebuild: (tasks: WorkloadTask[]) => TaskSpec[]): RunState {
  const exists = existsSync(file) && statSync(file).size > 0;
  if (exists && fresh) {
    // Refuses anything that is not a store of ours; a run whose WAL was lost is discarded all the same.
    sqliteStore(file, { acceptLostWal: true }).close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
  let resumed: ResumedRun | undefined;
  let finishedBefore: TaskRunState[] = [];
  let respawned: TaskSpec[] = [];
  if (exists && !fresh) {
    const reader = sqliteStore(file, { readOnly: true });
    const [states, storedWork] = (() => {
      try {
        return [reader.load(), JSON.parse(reader.readNote(WORK_NOTE) ?? '{}') as RunWork] as const;
      } finally {
        reader.close();
      }
    })();
    respawned = respawnedChildren(states, rebuild);
    const differences = [
      ...compareWithStoredRun(
        [...specs, ...respawned],
        // A spawned child that finished needs nothing of the workload: it never runs again.
        states.filter((state) => state.task.parent === undefined || state.status === 'pending' || state.status === 'running').map((state) => state.task),
      ),
      ...compareStoredWork(work, storedWork, new Set(states.filter((state) => state.attempt > 0).map((state) => state.task.id))),
    ];
    if (differences.length > 0) {
      throw new TaskStoreError(
        file,
        `holds a run that conflicts with this workload:\n${differences.map((line) => `  - ${line}\n`).join('')}` +
          'run it with --fresh to start over (the stored run is then discarded), or give another --state file',
      );
    }
    const count = (status: string): number => states.filter((state) => state.status === status).length;
    finishedBefore = states.filter((state) => state.status === 'completed' || state.status === 'failed' || state.status === 'cancelled').map(toFinishedTask);
    // A store that holds no task (its first run stopped before it scheduled any) has nothing to resume.
    resumed = states.length === 0 ? undefined : {
      state: file,
      completed: count('completed'),
      failed: count('failed'),
      cancelled: count('cancelled'),
      interrupted: states.filter((state) => state.status === 'running').map((state) => state.task.id),
      interruptedBefore: states.reduce((sum, state) => sum + state.interruptedAttempts, 0),
      stopped: states.filter(wasStopped).map((state) => state.task.id),
      pending: count('pending'),
    };
  }
  const store = sqliteStore(file);
  store.writeNote(WORK_NOTE, JSON.stringify(work));
  return { store, resumed, finishedBefore, respawned };
}
