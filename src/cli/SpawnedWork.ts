import type { WorkloadTask } from '../config/workloadTypes.js';
import type { StoredTask, TaskStore } from '../core/TaskStore.js';

/**
 * The workload tasks that commands wrote to their `XENO_SPAWN_FILE`, kept until the store takes
 * the children they became: a child is stored with its workload task (`StoredTask.work`), so a
 * resumed run re-creates its run as the workload's tasks are made (see `openRunState`).
 *
 * The children of a spawn file are spawned right after it is read, in the same synchronous call
 * (`ctx.spawn(readSpawnFile(...))`), and the scheduler stores them before that spawn returns; so
 * a task the store takes whose id was just read is that child. A refused spawn stores nothing;
 * what it read stays here, and is replaced if the same ids are read again.
 *
 * @example
 * const spawned = new SpawnedWork();
 * const specs = toTaskSpecs(workload, { spawned });
 * createScheduler({ store: spawned.journaling(store) }).scheduleTasks(specs);
 */
export class SpawnedWork {
  readonly #read = new Map<string, WorkloadTask>();

  /** A spawn file's tasks, about to be spawned. */
  read(tasks: readonly WorkloadTask[]): void {
    for (const task of tasks) this.#read.set(task.name, task);
  }

  /** `store`, through which each spawned child of a spawn file is stored with its workload task. */
  journaling(store: TaskStore): TaskStore {
    const withWork = (task: StoredTask): StoredTask => {
      const work = task.parent === undefined ? undefined : this.#read.get(task.id);
      if (work === undefined) return task;
      this.#read.delete(task.id);
      return { ...task, work };
    };
    return {
      addTasks: (tasks) => store.addTasks(tasks.map(withWork)),
      record: (transition) => store.record(transition),
      forget: (ids) => store.forget(ids),
      load: () => store.load(),
      commit: () => store.commit?.(),
    };
  }
}
