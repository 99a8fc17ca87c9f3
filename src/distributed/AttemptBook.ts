import type { TaskRecord } from '../types.js';
import type { Attempt, AttemptOutcome, OutcomeSink } from '../core/Executor.js';
import type { NodeBoard } from './NodeBoard.js';

/** An attempt the executor holds until its outcome is reported. */
export interface Tracked {
  readonly attempt: Attempt;
  readonly report: OutcomeSink;
  readonly jobId: string;
  /** The task's record when the attempt started (built once: the job carries it too). */
  readonly record: TaskRecord;
  readonly resources: Readonly<Record<string, number>>;
  /** BullMQ priority: 1 first. */
  readonly priority: number;
  node: string | undefined;
  /** Waiting here for a node, placed on a node's queue, or active on a worker. */
  state: 'unplaced' | 'placed' | 'active';
  /** Why it is not placed, while unplaced. */
  reason: string;
  /** Since when (ms since the epoch) no live worker can take it (see `Placement.unplaceable`); undefined while one can. */
  unplaceableSince?: number | undefined;
  /** When its job's state was last read from Redis (reconciling missed events). */
  checkedAt: number;
  /**
   * Settles once the add of its job (placed) has finished, either way: before that a remove finds
   * no job (and BullMQ's remove then says 1 all the same), so a cancel or a move waits for it.
   */
  added: Promise<unknown>;
}

/**
 * The attempts a distributed executor holds, by job id and by task id, with those no node took
 * yet in the order they were started; it keeps the node board's counts in step and reports each
 * attempt's outcome exactly once.
 *
 * @example
 * book.add(tracked);
 * book.finish(tracked, { ok: true, result: 1 });
 */
export class AttemptBook {
  readonly byJob = new Map<string, Tracked>();
  readonly byTask = new Map<string, Tracked>();
  unplaced: Tracked[] = [];
  readonly #board: NodeBoard;
  readonly #afterFinish: (tracked: Tracked) => void;
  #waiters: (() => void)[] = [];

  constructor(board: NodeBoard, afterFinish: (tracked: Tracked) => void) {
    this.#board = board;
    this.#afterFinish = afterFinish;
  }

  add(tracked: Tracked): void {
    this.byJob.set(tracked.jobId, tracked);
    this.byTask.set(tracked.attempt.taskId, tracked);
    if (tracked.state === 'unplaced') this.unplaced.push(tracked);
  }

  /** True while the attempt's outcome has not been reported. */
  holds(tracked: Tracked): boolean {
    return this.byJob.get(tracked.jobId) === tracked;
  }

  place(tracked: Tracked, node: string): void {
    tracked.node = node;
    tracked.state = 'placed';
    this.#board.add(node, tracked.resources);
  }

  /** A worker took the attempt's job: the node counts it running, and the scheduler hears it is active. */
  activate(tracked: Tracked): void {
    if (tracked.state !== 'placed') return;
    tracked.state = 'active';
    this.#board.activate(tracked.node as string);
    tracked.attempt.active();
  }

  /** Takes a placed attempt off its node; it is the next to be placed again. */
  unplace(tracked: Tracked, reason: string): void {
    if (tracked.node !== undefined) this.#board.remove(tracked.node, tracked.resources, tracked.state === 'active');
    tracked.node = undefined;
    tracked.state = 'unplaced';
    tracked.reason = reason;
    this.unplaced.unshift(tracked);
  }

  /** Reports the outcome, once; a later call for the same attempt does nothing. */
  finish(tracked: Tracked, outcome: AttemptOutcome): void {
    if (!this.holds(tracked)) return;
    this.byJob.delete(tracked.jobId);
    if (this.byTask.get(tracked.attempt.taskId) === tracked) this.byTask.delete(tracked.attempt.taskId);
    if (tracked.state === 'unplaced') this.unplaced = this.unplaced.filter((other) => other !== tracked);
    else if (tracked.node !== undefined) this.#board.remove(tracked.node, tracked.resources, tracked.state === 'active');
    tracked.report(tracked.attempt.taskId, tracked.attempt.attempt, outcome);
    if (this.byJob.size === 0) for (const resolve of this.#waiters.splice(0)) resolve();
    this.#afterFinish(tracked);
  }

  /** Resolves once no attempt is held. */
  onSettled(): Promise<void> {
    if (this.byJob.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
