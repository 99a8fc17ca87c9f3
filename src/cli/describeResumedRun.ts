import { escapeControlCharacters } from './escapeControlCharacters.js';
import type { ResumedRun } from './openRunState.js';

/**
 * One line saying what a resumed run had done before.
 *
 * @example
 * describeResumedRun({ state: 'run.db', completed: 12, failed: 0, cancelled: 0, interrupted: ['prove'], pending: 3 });
 * // 'resumed run.db: 12 tasks had finished (12 completed, 0 failed, 0 cancelled; not run again), 1 attempt interrupted (prove), 3 tasks waiting'
 */
export function describeResumedRun(run: ResumedRun): string {
  const finished = run.completed + run.failed + run.cancelled;
  const interrupted = run.interrupted.length === 0 ? 'no attempt interrupted' : `${run.interrupted.length} attempt${run.interrupted.length === 1 ? '' : 's'} interrupted (${run.interrupted.join(', ')})`;
  return escapeControlCharacters(
    `resumed ${run.state}: ${finished} tasks had finished (${run.completed} completed, ${run.failed} failed, ${run.cancelled} cancelled; not run again), ` +
      `${interrupted}, ${run.pending} tasks waiting`,
  );
}
