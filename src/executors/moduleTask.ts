import type { TaskContext, TaskRun } from '../types.js';
import type { WorkerPool } from './createWorkerPool.js';
import { loadExport, resolveModuleUrl } from './loadExport.js';

/** Options of {@link moduleTask}. */
export interface ModuleTaskOptions {
  /**
   * Run the export in a thread of `pool` instead of on the main thread.
   * @default true when a pool is given, false otherwise
   */
  worker?: boolean;
  /** The pool for `worker: true`. */
  pool?: WorkerPool;
}

/**
 * A work function that calls an export of a module. Inline (the default), the export is loaded
 * with `import()` on first use and called with the full `TaskContext`, signal included, so it can
 * stop cooperatively. With `worker: true` it runs in a thread of the given pool (see
 * {@link WorkerPool.task}), gets a cloneable payload instead, and is stopped by terminating the
 * thread.
 *
 * A relative `modulePath` is resolved against the working directory when `moduleTask` is called.
 *
 * @throws TypeError when `worker` is true and no `pool` is given.
 * @example
 * ```ts
 * const pool = createWorkerPool();
 * scheduler.scheduleTask({ name: 'report', run: moduleTask('./tasks/report.ts', 'render') });
 * scheduler.scheduleTask({ name: 'hash', run: moduleTask('./tasks/hash.mjs', 'default', { pool }) });
 * ```
 */
export function moduleTask(modulePath: string, exportName = 'default', options: ModuleTaskOptions = {}): TaskRun<any> {
  const { pool, worker = pool !== undefined } = options;
  if (worker) {
    if (pool === undefined) {
      throw new TypeError(
        `moduleTask(${JSON.stringify(modulePath)}): options.pool: expected a WorkerPool when options.worker is true, found undefined`,
      );
    }
    return pool.task(modulePath, exportName);
  }
  const moduleUrl = resolveModuleUrl(modulePath);
  return async (ctx: TaskContext) => {
    ctx.signal.throwIfAborted();
    const work = await loadExport(moduleUrl, exportName);
    return (work as TaskRun)(ctx);
  };
}
