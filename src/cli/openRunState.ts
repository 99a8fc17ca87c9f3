import { existsSync, rmSync, statSync } from 'node:fs';
import { TaskStoreError } from '../errors.js';
import { sqliteStore, type SqliteTaskStore } from '../stores/sqlite/sqliteStore.js';
import type { TaskSpec } from '../types.js';
import { compareWithStoredRun } from './compareWithStoredRun.js';
import type { ReattachedAttempts } from './reattachedAttempts.js';

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
  /** Tasks that were waiting: they wait again. */
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
 * first, and refused, unchanged, when they conflict.
 *
 * @throws TaskStoreError naming the file, listing every difference
 * @example
 * const { store, resumed } = openRunState('run.db', specs, false);
 */
export function openRunState(file: string, specs: readonly TaskSpec[], fresh: boolean): RunState {
  const exists = existsSync(file) && statSync(file).size > 0;
  if (exists && fresh) {
    sqliteStore(file).close(); // refuses anything that is not a store of ours
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
  let resumed: ResumedRun | undefined;
  if (exists && !fresh) {
    const reader = sqliteStore(file, { readOnly: true });
    const states = (() => {
      try {
        return reader.load();
      } finally {
        reader.close();
      }
    })();
    const differences = compareWithStoredRun(
      specs,
      states.map((state) => state.task),
    );
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
      pending: count('pending'),
    };
  }
  return { store: sqliteStore(file), resumed };
}
