import type { Attempt } from '../executors/Executor.js';
import type { TaskRecord, TaskRun, TaskSpec } from '../types.js';
import type { Supervisor } from './Supervisor.js';
import { toRecord, type TaskEntry } from './TaskEntry.js';
import { noteActive, notePlaced } from './supervisorControl.js';

/**
 * One attempt as the supervisor hands it to its executor (started, or adopted after a restart).
 * A class, so that its callbacks live on the prototype: one object per attempt, not one closure
 * per callback.
 *
 * @example
 * executor.start(new AttemptHandle(supervisor, entry, entry.attempts), supervisor.lifecycle.deliver);
 */
export class AttemptHandle implements Attempt {
  readonly taskId: string;
  readonly attempt: number;
  readonly type: string;
  readonly config: unknown;
  readonly run: TaskRun<any>;
  readonly #s: Supervisor;
  readonly #entry: TaskEntry;

  constructor(supervisor: Supervisor, entry: TaskEntry, attempt: number) {
    this.taskId = entry.id;
    this.attempt = attempt;
    this.type = entry.type;
    this.config = entry.config;
    this.run = entry.run;
    this.#s = supervisor;
    this.#entry = entry;
  }

  record(): TaskRecord {
    return toRecord(this.#entry);
  }

  placed(node: string): void {
    notePlaced(this.#s, this.#entry, this.attempt, node);
  }

  active(): void {
    noteActive(this.#s, this.#entry, this.attempt);
  }

  spawn(specs: readonly TaskSpec<any>[]): string[] {
    return this.#s.spawnChildren(this.taskId, this.attempt, specs);
  }
}
