import { TaskSchedulingError } from '../errors.js';
import { describeValue } from '../internal/describeValue.js';
import type { TaskStatus } from '../types.js';
import type { TaskEntry } from './TaskEntry.js';

/**
 * Every task the scheduler knows, live or finished, and the counts by status. Finished tasks are
 * kept up to `maxFinishedRecords`, oldest dropped first; `onForget` hears of dropped ids in
 * batches (the graph and the store forget them too).
 */
export class TaskRegistry {
  readonly entries = new Map<string, TaskEntry>();
  /** Tasks by status since creation (finished ones count even after their record is dropped). */
  readonly counts: Record<TaskStatus, number> = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  #live = 0;
  #finished: string[] = [];
  #finishedHead = 0;
  #forgotten: string[] = [];
  readonly #limit: number;
  readonly #onForget: (ids: string[]) => void;

  constructor(maxFinishedRecords: number, onForget: (ids: string[]) => void) {
    this.#limit = maxFinishedRecords;
    this.#onForget = onForget;
  }

  /** Tasks that have not reached a final state. */
  get live(): number {
    return this.#live;
  }

  add(entry: TaskEntry): void {
    this.entries.set(entry.id, entry);
    this.counts.pending++;
    this.#live++;
  }

  /** The one place a status count changes: called from the task machine's transitions. */
  move(from: TaskStatus, to: TaskStatus): void {
    this.counts[from]--;
    this.counts[to]++;
    if (to === 'completed' || to === 'failed' || to === 'cancelled') this.#live--;
  }

  /** A task ended: keep its record, dropping the oldest beyond the limit. */
  retain(id: string): void {
    this.#finished.push(id);
    while (this.#finished.length - this.#finishedHead > this.#limit) {
      const oldest = this.#finished[this.#finishedHead++] as string;
      this.entries.delete(oldest);
      this.#forgotten.push(oldest);
    }
    // The records are exact; the graph hears of dropped ids in batches (one event per batch).
    if (this.#forgotten.length > Math.floor(this.#limit / 8)) this.flushForgotten();
    if (this.#finishedHead > 4096 && this.#finishedHead * 2 > this.#finished.length) {
      this.#finished = this.#finished.slice(this.#finishedHead);
      this.#finishedHead = 0;
    }
  }

  /**
   * Tells the graph and the store now of every id dropped so far. Admission calls it first: an
   * id dropped from the records may be used again, and must then be unknown everywhere.
   */
  flushForgotten(): void {
    if (this.#forgotten.length === 0) return;
    const ids = this.#forgotten;
    this.#forgotten = [];
    this.#onForget(ids);
  }

  /** The entry of a known id, or a TaskSchedulingError naming it. */
  require(id: string): TaskEntry {
    const entry = this.entries.get(id);
    if (entry === undefined) {
      throw new TaskSchedulingError(
        `id: no task ${typeof id === 'string' ? `"${id}"` : describeValue(id)} is known to this scheduler (never scheduled, or finished and dropped past maxFinishedRecords)`,
        'id',
      );
    }
    return entry;
  }
}
