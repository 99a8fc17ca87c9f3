import { existsSync, rmSync, statSync } from 'node:fs';
import { TaskStoreError } from '../errors.js';
import { sqliteStore, type SqliteTaskStore } from '../stores/sqlite/sqliteStore.js';
import type { TaskSpec } from '../types.js';
import { compareStoredWork, compareWithStoredRun, type RunWork } from './compareWithStoredRun.js';
import type { ReattachedAttempts } from './reattachedAttempts.js';
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
  /** Undefined when the run starts afresh. */
  readonly resumed: ResumedRun | undefined;
}

/**
 * Opens the store of `run --state <file>`: with `fresh`, a store that is there is checked to be
 * one (never another file) and removed; otherwise a stored run is compared with the workload
 * first (each task's spec, and the command or module of each task that already ran), and
 * refused, unchanged, when they conflict. The store then keeps what each task runs, for the next resume to compare.
 *
 * @throws TaskStoreError naming the file, listing every difference
 * @example
 * const { store, resumed } = openRunState('run.db', specs, work, false);
 */
export function openRunState(file: string, specs: readonly TaskSpec[], work: RunWork, fresh: boolean): RunState {
  const exists = existsSync(file) && statSync(file).size > 0;
  if (exists && fresh) {
    // Refuses anything that is not a store of ours; a run whose WAL was lost is discarded all the same.
    sqliteStore(file, { acceptLostWal: true }).close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
  let resumed: ResumedRun | undefined;
  if (exists && !fresh) {
    const reader = sqliteStore(file, { readOnly: true });
    const [states, storedWork] = (() => {
      try {
        return [reader.load(), JSON.parse(reader.readNote(WORK_NOTE) ?? '{}') as RunWork] as const;
      } finally {
        reader.close();
      }
    })();
    const differences = [
      ...compareWithStoredRun(
        specs,
        states.map((state) => state.task),
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
    resumed = {
      state: file,
      completed: count('completed'),
      failed: count('failed'),
      cancelled: count('cancelled'),
      interrupted: states.filter((state) => state.status === 'running').map((state) => state.task.id),
      stopped: states.filter(wasStopped).map((state) => state.task.id),
      pending: count('pending'),
    };
  }
  const store = sqliteStore(file);
  store.writeNote(WORK_NOTE, JSON.stringify(work));
  return { store, resumed };
}
