import type { TaskStoreError } from '../errors.js';
import type { Scheduler } from '../core/scheduler.js';
import type { SqliteTaskStore } from '../stores/sqlite/sqliteStore.js';
import type { CliIo } from './CliIo.js';
import { counted } from './counted.js';
import { ExitCode } from './ExitCode.js';
import type { RunState } from './openRunState.js';

/** Causes a user fixes by freeing disk space. */
const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

/**
 * What the store file holds, read back from it (never from the scheduler's memory, which may be
 * ahead of it): the tasks by status, the unfinished ones being what a resume runs.
 */
function describeDurable(store: SqliteTaskStore): string {
  try {
    const states = store.loadCommitted();
    const count = (status: string): number => states.filter((state) => state.status === status).length;
    const finished = count('completed') + count('failed') + count('cancelled');
    return (
      `${store.file} holds ${counted(states.length, 'task')}: ${count('completed')} completed, ${count('failed')} failed, ${count('cancelled')} cancelled, ` +
      `${states.length - finished} not finished (they run when the run is resumed; what ran after the last write that succeeded runs again)`
    );
  } catch (error) {
    return `${store.file} could not be read back (${error instanceof Error ? error.message : String(error)}): run \`xeno-scheduler status ${store.file}\` once the cause is fixed`;
  }
}

/**
 * Ends a `run --state` whose store could not write (a full disk, an I/O error): the scheduler
 * halted at the failed write; its running work is stopped, the store released, and the run ends
 * with the error and what the store holds (not what ran: a completion the store does not hold is
 * not done), and how to resume. Exit code {@link ExitCode.FAILED}.
 *
 * @example
 * if (error instanceof TaskStoreError) return endOnStoreFailure(error, { scheduler, state }, io, notes);
 */
export async function endOnStoreFailure(failure: TaskStoreError, run: { scheduler: Scheduler; state: RunState }, io: CliIo, notes: NodeJS.WritableStream): Promise<ExitCode> {
  await run.scheduler.stop();
  const { store } = run.state;
  // Read before the store is released: reading the file anew may need space the disk lacks.
  const durable = describeDurable(store);
  try {
    store.close();
  } catch {
    // The same failure again: what the store still buffered was never durable.
  }
  const fix = FULL_CODES.has(failure.causeCode ?? '') ? 'free disk space' : 'fix the cause';
  io.stderr.write(`error: ${failure.name}: ${failure.message}\n`);
  notes.write(`the run stopped at the store's failure; ${durable}\n${fix}, then run the same command again to resume\n`);
  return ExitCode.FAILED;
}
