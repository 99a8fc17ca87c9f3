import type { StoredTask, StoredTaskState, TaskStore, TaskTransition } from './TaskStore.js';

/**
 * The scheduler's side of a {@link TaskStore}: it passes everything on, commits only when
 * something was recorded since the last commit (the supervisor asks before every effect), keeps
 * the spec of every task the store holds (so a resubmitted batch is recognised), and can be
 * detached: a stopped scheduler leaves what was live as it was in the store, to be resumed.
 *
 * @example
 * const journal = new Journal(store, (error) => events.emit('error', { error }));
 * journal.record({ kind: 'ready', id: 'a', at: 0 });
 * journal.commit();
 */
export class Journal implements TaskStore {
  readonly store: TaskStore;
  /** The spec of every task the store holds, by id (kept after the registry drops a record). */
  readonly specs = new Map<string, StoredTask>();
  /** Ids of the tasks {@link Journal.load} found: a run they resume. */
  readonly recovered = new Set<string>();
  readonly #onError: (error: Error) => void;
  #isDirty = false;
  #isDetached = false;

  constructor(store: TaskStore, onError: (error: Error) => void) {
    this.store = store;
    this.#onError = onError;
  }

  addTasks(tasks: readonly StoredTask[]): void {
    if (this.#isDetached) return;
    for (const task of tasks) this.specs.set(task.id, task);
    this.store.addTasks(tasks);
    this.#isDirty = false;
  }

  record(transition: TaskTransition): void {
    if (this.#isDetached) return;
    this.store.record(transition);
    this.#isDirty = true;
  }

  /**
   * The registry dropped these finished records: an id admitted in this process may then be used
   * again for a new task, as without a store. A recovered id keeps its spec, so that scheduling
   * the stored batch again after a restart never runs a finished task again.
   */
  forget(ids: readonly string[]): void {
    for (const id of ids) if (!this.recovered.has(id)) this.specs.delete(id);
    if (!this.#isDetached) this.store.forget(ids);
  }

  load(): StoredTaskState[] {
    const states = this.store.load();
    for (const { task } of states) {
      this.specs.set(task.id, task);
      this.recovered.add(task.id);
    }
    return states;
  }

  /** Commits what was recorded since the last commit; a failure is reported, not thrown. */
  commit(): void {
    if (!this.#isDirty) return;
    this.#isDirty = false;
    try {
      this.store.commit?.();
    } catch (error) {
      this.#onError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Commits, then records nothing more: what is pending or running stays so in the store. */
  detach(): void {
    this.commit();
    this.#isDetached = true;
  }
}
