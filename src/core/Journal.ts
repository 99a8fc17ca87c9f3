import { TaskStoreError } from '../errors.js';
import type { StoredTask, StoredTaskState, TaskStore, TaskTransition } from './TaskStore.js';

/**
 * The scheduler's side of a {@link TaskStore}: it passes everything on, commits only when
 * something was recorded since the last commit (the supervisor asks before every effect), keeps
 * the spec of every task the store holds (so a resubmitted batch is recognised), and can be
 * detached: a stopped scheduler leaves what was live as it was in the store, to be resumed.
 * It is fail-stop: the first write that fails detaches it (nothing more is written, so the store
 * keeps what was committed before) and is handed to `onFailure` as a {@link TaskStoreError}.
 *
 * @example
 * const journal = new Journal(store, (failure) => supervisor.halt(failure));
 * journal.record({ kind: 'ready', id: 'a', at: 0 });
 * journal.commit();
 */
export class Journal implements TaskStore {
  readonly store: TaskStore;
  /** The spec of every task the store holds, by id (kept after the registry drops a record). */
  readonly specs = new Map<string, StoredTask>();
  /** Ids of the tasks {@link Journal.load} found: a run they resume. */
  readonly recovered = new Set<string>();
  readonly #onFailure: (failure: TaskStoreError) => void;
  #isDirty = false;
  #isDetached = false;
  #failure: TaskStoreError | undefined;

  constructor(store: TaskStore, onFailure: (failure: TaskStoreError) => void) {
    this.store = store;
    this.#onFailure = onFailure;
  }

  /** The write that failed, once one has. */
  get failure(): TaskStoreError | undefined {
    return this.#failure;
  }

  /** Records a batch; a failure throws (the caller admits nothing) after it is reported. */
  addTasks(tasks: readonly StoredTask[]): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#isDetached) return;
    try {
      this.store.addTasks(tasks);
    } catch (error) {
      throw this.#failed(error, 'recording new tasks');
    }
    for (const task of tasks) this.specs.set(task.id, task);
    this.#isDirty = false;
  }

  /** Records a transition; a failure is reported (the scheduler halts), not thrown into the actor that took it. */
  record(transition: TaskTransition): void {
    if (this.#isDetached) return;
    // Called for every transition of every task: no closure, unlike the rarer writes.
    try {
      this.store.record(transition);
    } catch (error) {
      this.#failed(error, 'recording a transition');
      return; // reported: the scheduler halts
    }
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

  /** Commits what was recorded since the last commit; a failure is reported (the scheduler halts), not thrown. */
  commit(): void {
    if (!this.#isDirty || this.#isDetached) return;
    this.#isDirty = false;
    try {
      this.store.commit?.();
    } catch (error) {
      this.#failed(error, 'committing'); // reported: the scheduler halts
    }
  }

  /** Commits, then records nothing more: what is pending or running stays so in the store. */
  detach(): void {
    this.commit();
    this.#isDetached = true;
  }

  /** A write failed: the first failure detaches the journal and is reported; returned as a TaskStoreError. */
  #failed(error: unknown, what: string): TaskStoreError {
    const failure = toTaskStoreError(this.store, what, error);
    this.#failure = failure;
    this.#isDetached = true;
    this.#onFailure(failure);
    return failure;
  }
}

/** A store's failure as a TaskStoreError naming its cause's code (one of the store's own is kept as it is). */
function toTaskStoreError(store: TaskStore, what: string, error: unknown): TaskStoreError {
  if (error instanceof TaskStoreError) return error;
  const file = (store as { file?: unknown }).file;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new TaskStoreError(typeof file === 'string' ? file : 'the scheduler\'s store', `${what} failed${typeof code === 'string' ? ` (${code})` : ''}: ${message}`, { cause: error });
}
