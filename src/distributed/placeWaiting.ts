import { remoteDescriptorOf } from './remoteTask.js';
import type { AttemptBook, Tracked } from './AttemptBook.js';
import { chooseNode, type Placement } from './chooseNode.js';
import type { NodeBoard } from './NodeBoard.js';
import type { ResolvedDistributedOptions } from './resolveDistributedOptions.js';

/** What one placing pass did: the attempts put on each node, and where round robin goes on from. */
export interface PlacingPass {
  readonly batches: ReadonlyMap<string, readonly Tracked[]>;
  readonly cursor: number;
}

/**
 * Places the attempts waiting in `book`, oldest first, each on the node
 * {@link chooseNode} picks from the board as it stands after the ones before it; an attempt no
 * node can take stays waiting with the reason, and since when no live worker can take it at all.
 * `chooseNode` is pure and the board changes in a pass only by its placements, so a refusal holds
 * for every later attempt of the same kind (type, descriptor, no resources) until the next
 * placement: it is asked once per kind, not once per waiting attempt (a long queue behind full
 * nodes costs a pass what the attempts placed cost, not a reason built for each). The caller adds each node's batch as one
 * `addBulk`, then tells each attempt its node ({@link announcePlacements}): that runs the
 * scheduler's listeners, which may cancel or stop, so not in the middle of this pass.
 *
 * @example
 * const { batches, cursor } = placeWaiting(book, board, options, cursor);
 */
export function placeWaiting(book: AttemptBook, board: NodeBoard, options: Pick<ResolvedDistributedOptions, 'loadBalancing' | 'prefetch'>, cursor: number, now = Date.now()): PlacingPass {
  const batches = new Map<string, Tracked[]>();
  const waiting = book.unplaced;
  book.unplaced = [];
  const views = board.views();
  /** Refusals since the last placement, by kind of attempt (those without resources). */
  const refused = new Map<string, Placement>();
  for (const tracked of waiting) {
    const { type, run } = tracked.attempt;
    const hasDescriptor = remoteDescriptorOf(run) != null;
    const kind = isEmpty(tracked.resources) ? `${hasDescriptor ? 'd' : 't'}${type}` : undefined;
    let placement = kind === undefined ? undefined : refused.get(kind);
    if (placement === undefined) {
      placement = chooseNode(options.loadBalancing, views, { type, hasDescriptor, resources: tracked.resources }, cursor, options.prefetch);
      if (placement.node === undefined && kind !== undefined) refused.set(kind, placement);
    }
    if (placement.node === undefined) {
      tracked.reason = placement.reason;
      tracked.unplaceableSince = placement.unplaceable ? (tracked.unplaceableSince ?? now) : undefined;
      book.unplaced.push(tracked);
      continue;
    }
    cursor = placement.cursor;
    // The board's views are live: this placement counts in the next choice.
    book.place(tracked, placement.node);
    refused.clear();
    const batch = batches.get(placement.node);
    if (batch === undefined) batches.set(placement.node, [tracked]);
    else batch.push(tracked);
  }
  return { batches, cursor };
}

function isEmpty(resources: Readonly<Record<string, number>>): boolean {
  for (const _ in resources) return false;
  return true;
}

/**
 * Tells each attempt of a pass the node it was put on (`task:placed`), once the pass and the
 * adds it started are under way; an attempt ended by an earlier listener is skipped.
 *
 * @example
 * announcePlacements(book, pass.batches);
 */
export function announcePlacements(book: AttemptBook, batches: ReadonlyMap<string, readonly Tracked[]>): void {
  for (const [node, placed] of batches) for (const tracked of placed) if (book.holds(tracked) && tracked.node === node) tracked.attempt.placed(node);
}
