import type { Attempt } from '../executors/Executor.js';
import type { TaskRecord, TaskRun } from '../types.js';
import type { MeasuredUsage } from '../usageTypes.js';
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

  measured(usage: MeasuredUsage): void {
    // A late report of an older attempt is not this one's.
    if (this.#entry.attempts === this.attempt && this.#entry.outcome === undefined) this.#entry.measured = usage;
  }
}
