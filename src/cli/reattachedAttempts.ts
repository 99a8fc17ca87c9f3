import type { Adoption } from '../distributed/findAdoptedJob.js';

/**
 * What became of the attempts a distributed run's store said were running, by what the restarted
 * coordinator found of their jobs (task ids in each list).
 */
export interface ReattachedAttempts {
  /** Their outcome arrived while the coordinator was down: delivered on restart, not run again. */
  readonly finished: readonly string[];
  /** Still running (or queued) on a node: re-attached, their outcome awaited, not run again. */
  readonly running: readonly string[];
  /** No job on any node: counted as interrupted (started again without using a retry, within max_interruptions). */
  readonly gone: readonly string[];
}

/**
 * Sorts a coordinator's adoptions into what finished while it was down, what still ran, and what
 * was gone.
 *
 * @example
 * toReattachedAttempts([{ taskId: 'a', attempt: 1, node: 'n1', found: 'finished' }]); // { finished: ['a'], running: [], gone: [] }
 */
export function toReattachedAttempts(adoptions: readonly Adoption[]): ReattachedAttempts {
  const ids = (match: (adoption: Adoption) => boolean): string[] => adoptions.filter(match).map((adoption) => adoption.taskId);
  return {
    finished: ids((adoption) => adoption.found === 'finished'),
    running: ids((adoption) => adoption.found === 'running' || adoption.found === 'queued'),
    gone: ids((adoption) => adoption.found === 'gone'),
  };
}

/**
 * The part of the "resumed" line about re-attached attempts.
 *
 * @example
 * describeReattached({ finished: ['a'], running: ['b'], gone: [] });
 * // '2 running attempts re-attached to their jobs (finished while the coordinator was down: a; still running: b)'
 */
export function describeReattached(reattached: ReattachedAttempts): string {
  const total = reattached.finished.length + reattached.running.length + reattached.gone.length;
  if (total === 0) return 'no attempt interrupted';
  const groups = [
    ['finished while the coordinator was down', reattached.finished],
    ['still running', reattached.running],
    ['job gone, counted as interrupted', reattached.gone],
  ] as const;
  const parts = groups.filter(([, ids]) => ids.length > 0).map(([what, ids]) => `${what}: ${ids.join(', ')}`);
  return `${total} running attempt${total === 1 ? '' : 's'} re-attached to their jobs (${parts.join('; ')})`;
}
