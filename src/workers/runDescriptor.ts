import type { TaskRun } from '../types.js';
import { commandTask, type CommandTaskOptions } from './commandTask.js';
import type { WorkerPool } from './createWorkerPool.js';
import { moduleTask, type ModuleTaskOptions } from './moduleTask.js';

/** A command line to run through a shell (see {@link commandTask}). */
export interface CommandRunDescriptor {
  readonly kind: 'command';
  readonly command: string;
}

/** An export of a module to call inline or in a worker thread (see {@link moduleTask}). */
export interface ModuleRunDescriptor {
  readonly kind: 'module';
  /** Absolute path, `file:` URL, or a path relative to the working directory. */
  readonly module: string;
  /** @default 'default' */
  readonly export?: string;
  /** @default false */
  readonly worker?: boolean;
}

/** What a task runs, as data: the form workload files describe work in. */
export type RunDescriptor = CommandRunDescriptor | ModuleRunDescriptor;

/** Options of {@link toTaskRun}. */
export interface ToTaskRunOptions {
  /** The pool for module descriptors with `worker: true`. */
  pool?: WorkerPool;
  /** Options for every command descriptor, such as `maxOutputBytes` or `killGraceMs`. */
  command?: CommandTaskOptions;
  /** Options for every module descriptor, such as `captureOutput`. */
  module?: Pick<ModuleTaskOptions, 'captureOutput'>;
}

/**
 * Turns a run descriptor from a workload file into a work function.
 *
 * @throws TypeError for a module descriptor with `worker: true` when no pool is given, or an
 * unknown `kind`.
 * @example
 * ```ts
 * const pool = createWorkerPool();
 * const workload = loadWorkload('workloads/proofs.yaml');
 * for (const task of workload.tasks) {
 *   if (task.run) scheduler.scheduleTask({ name: task.name, config: task.config, run: toTaskRun(task.run, { pool }) });
 * }
 * ```
 */
export function toTaskRun(descriptor: RunDescriptor, options: ToTaskRunOptions = {}): TaskRun<any> {
  switch (descriptor.kind) {
    case 'command':
      return commandTask(descriptor.command, options.command);
    case 'module':
      return moduleTask(descriptor.module, descriptor.export, {
        ...options.module,
        worker: descriptor.worker ?? false,
        ...(options.pool === undefined ? {} : { pool: options.pool }),
      });
    default:
      throw new TypeError(
        `toTaskRun: descriptor.kind: expected 'command' or 'module', found ${JSON.stringify((descriptor as { kind: unknown }).kind)}`,
      );
  }
}
