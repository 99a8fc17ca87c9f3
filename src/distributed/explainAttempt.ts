import type { Tracked } from './AttemptBook.js';
import type { NodeBoard } from './NodeBoard.js';

/** What explaining a held attempt reads of its executor. */
export interface ExplainContext {
  /** Why Redis could not be opened, if it could not. */
  readonly openError: string | undefined;
  /** The (redacted) Redis URL while still connecting; undefined once connected. */
  readonly connectingTo: string | undefined;
  readonly isPaused: boolean;
  readonly failover: boolean;
  readonly board: NodeBoard;
}

/**
 * Where an attempt the executor holds waits for a worker, in words: not placed yet (and why),
 * queued on a node (whose workers may all be gone), or nothing when a worker runs it.
 *
 * @example
 * explainAttempt(tracked, context); // 'queued on node "a", waiting for one of its workers'
 */
export function explainAttempt(tracked: Tracked, c: ExplainContext): string | undefined {
  if (tracked.state === 'active') return undefined;
  if (tracked.state === 'unplaced') {
    if (c.openError !== undefined) return c.openError;
    if (c.connectingTo !== undefined) return `connecting to Redis at ${c.connectingTo}`;
    return c.isPaused ? 'the scheduler is paused' : tracked.reason;
  }
  const node = tracked.node as string;
  if (!c.board.isUp(node)) {
    return `queued on node "${node}", whose workers are all gone${c.failover ? '' : ' (failover is off: it waits for them)'}`;
  }
  return `queued on node "${node}", waiting for one of its workers`;
}
