import { identifyRun } from '../history/runIdentity.js';
import type { TaskContext, TaskRun } from '../types.js';
import { bindSignal } from './bindSignal.js';
import type { WorkerPool } from './createWorkerPool.js';
import { loadExport, resolveModuleUrl } from './loadExport.js';
import { runCapturingOutput } from './runCapturingOutput.js';
import { settleCapturedRun } from './settleCapturedRun.js';

/** Bytes kept of what a module task prints to stdout and to stderr, each, with `captureOutput`. */
export const MODULE_OUTPUT_LIMIT_BYTES = 1024 * 1024;

/** Options of {@link moduleTask}. */
export interface ModuleTaskOptions {
  /**
   * Run the export in a thread of `pool` instead of on the main thread.
   * @default true when a pool is given, false otherwise
   */
  worker?: boolean;
  /** The pool for `worker: true`. */
  pool?: WorkerPool;
  /**
   * Keep what the export prints to stdout and stderr (the first MiB of each) instead of writing
   * it, as a command task does: the task then resolves with a {@link ModuleResult} and fails with
   * a {@link ModuleFailedError} that carry the output. Inline, output belongs to a task by async
   * context; what it prints after it settled goes to stderr.
   * @default false
   */
  captureOutput?: boolean;
}

/**
 * A work function that calls an export of a module. Inline (the default), the export is loaded
 * with `import()` on first use and called with the full `TaskContext`, signal included, so it can
 * stop cooperatively. With `worker: true` it runs in a thread of the given pool (see
 * {@link WorkerPool.task}), gets a cloneable payload instead, and is stopped by terminating the
 * thread.
 *
 * With `captureOutput`, nothing the export prints reaches the process's stdout (see the option).
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
  return identifyRun(moduleRun(modulePath, exportName, options), { kind: 'module', module: modulePath, export: exportName });
}

function moduleRun(modulePath: string, exportName: string, options: ModuleTaskOptions): TaskRun<any> {
  const { pool, worker = pool !== undefined, captureOutput = false } = options;
  if (worker) {
    if (pool === undefined) {
      throw new TypeError(
        `moduleTask(${JSON.stringify(modulePath)}): options.pool: expected a WorkerPool when options.worker is true, found undefined`,
      );
    }
    return pool.task(modulePath, exportName, captureOutput ? { captureOutputBytes: MODULE_OUTPUT_LIMIT_BYTES } : {});
  }
  const moduleUrl = resolveModuleUrl(modulePath);
  const callExport = async (ctx: TaskContext): Promise<unknown> => {
    ctx.signal.throwIfAborted();
    const work = await loadExport(moduleUrl, exportName);
    return (work as TaskRun)(ctx);
  };
  if (!captureOutput) return callExport;
  return async (ctx: TaskContext) => {
    const captured = await runCapturingOutput(() => callExport({ ...ctx, signal: bindSignal(ctx.signal) }), MODULE_OUTPUT_LIMIT_BYTES);
    return settleCapturedRun(captured, ctx.signal);
  };
}
