import { counted } from './counted.js';
import { escapeControlCharacters } from './escapeControlCharacters.js';
import type { ResumedRun } from './openRunState.js';
import { describeReattached } from './reattachedAttempts.js';

/**
 * One line saying what a resumed run had done before. With `reattaching` (a distributed run, its
 * attempts not yet found), the attempts that were running are said to be re-attached to, not
 * interrupted; once `run.reattached` is known, the line says what became of each.
 *
 * @example
 * describeResumedRun({ state: 'run.db', completed: 12, failed: 0, cancelled: 0, interrupted: ['prove'], interruptedBefore: 0, stopped: [], pending: 3 });
 * // 'resumed run.db: 12 tasks had finished (12 completed, 0 failed, 0 cancelled; not run again), 1 attempt interrupted (prove): not counted as a retry, 3 tasks waiting'
 */
export function describeResumedRun(run: ResumedRun, reattaching = false): string {
  const finished = run.completed + run.failed + run.cancelled;
  const count = run.interrupted.length;
  let interrupted: string;
  if (run.reattached !== undefined) interrupted = describeReattached(run.reattached);
  else if (count === 0) interrupted = 'no attempt interrupted';
  else if (reattaching) interrupted = `${count} attempt${count === 1 ? ' was' : 's were'} running (${run.interrupted.join(', ')}): re-attaching to their jobs`;
  else interrupted = `${count} attempt${count === 1 ? '' : 's'} interrupted (${run.interrupted.join(', ')}): not counted as ${count === 1 ? 'a retry' : 'retries'}`;
  if (run.interruptedBefore > 0) interrupted += ` (${counted(run.interruptedBefore, 'attempt')} interrupted by earlier crashes)`;
  const stoppedCount = run.stopped.length;
  const stopped = stoppedCount === 0 ? '' : `${stoppedCount} attempt${stoppedCount === 1 ? '' : 's'} stopped by the last run's stop (${run.stopped.join(', ')}): started again, not counted, `;
  return escapeControlCharacters(
    `resumed ${run.state}: ${counted(finished, 'task')} had finished (${run.completed} completed, ${run.failed} failed, ${run.cancelled} cancelled; not run again), ` +
      `${interrupted}, ${stopped}${counted(run.pending, 'task')} waiting`,
  );
}
