import { TaskSchedulingError } from '../errors.js';
import { describeValue } from '../internal/describeValue.js';
import type { TaskStatus } from '../types.js';
import type { FinalStatus, TaskEntry } from './TaskEntry.js';

/**
 * Every task the scheduler knows, live or finished, and the counts by status. Finished tasks are
 * kept up to `maxFinishedRecords`, oldest dropped first; `onForget` hears of dropped ids in
 * batches (the graph and the store forget them too).
 */
export class TaskRegistry {
  readonly entries = new Map<string, TaskEntry>();
  /** Finished tasks by status since creation (they count even after their record is dropped). */
  readonly #finished: Record<FinalStatus, number> = { completed: 0, failed: 0, cancelled: 0 };
  /** Attempts running now (a dispatched attempt that is not active yet is not one). */
  #running = 0;
  #live = 0;
  #retained: string[] = [];
  #retainedHead = 0;
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

  /**
   * Tasks by status. Each count has one mover: `running` moves with attempts ({@link attemptActive},
   * {@link attemptEnded}, and {@link end} for a success), the finished ones with {@link end},
   * and `pending` is what is live and not running.
   */
  get counts(): Record<TaskStatus, number> {
    return { pending: this.#live - this.#running, running: this.#running, ...this.#finished };
  }

  /** A live task joins (admitted, or recovered pending). */
  add(entry: TaskEntry): void {
    this.entries.set(entry.id, entry);
    this.#live++;
  }

  /** A recovered task that had finished: counted, and kept as a record like any finished task. */
  addFinished(entry: TaskEntry, status: FinalStatus): void {
    this.entries.set(entry.id, entry);
    this.#finished[status]++;
    this.retain(entry.id);
  }

  /** A recovered finished task whose record is dropped at once: counted, never built. */
  countDropped(status: FinalStatus): void {
    this.#finished[status]++;
  }

  /** An attempt runs. */
  attemptActive(): void {
    this.#running++;
  }

  /** An attempt stopped running and its task goes on (a retry) or ends otherwise than by success. */
  attemptEnded(): void {
    this.#running--;
  }

  /**
   * A live task reached `status`. A success ends its running attempt here too: its count goes
   * from running to completed, never through pending (`fromRunning` false: it completed from
   * waiting, as a parent that waited for its children does).
   */
  end(status: FinalStatus, fromRunning = status === 'completed'): void {
    this.#live--;
    if (status === 'completed' && fromRunning) this.#running--;
    this.#finished[status]++;
  }

  /** A task ended: keep its record, dropping the oldest beyond the limit. */
  retain(id: string): void {
    this.#retained.push(id);
    while (this.#retained.length - this.#retainedHead > this.#limit) {
      const oldest = this.#retained[this.#retainedHead++] as string;
      this.entries.delete(oldest);
      this.#forgotten.push(oldest);
    }
    // The records are exact; the graph hears of dropped ids in batches (one event per batch).
    if (this.#forgotten.length > Math.floor(this.#limit / 8)) this.flushForgotten();
    if (this.#retainedHead > 4096 && this.#retainedHead * 2 > this.#retained.length) {
      this.#retained = this.#retained.slice(this.#retainedHead);
      this.#retainedHead = 0;
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
