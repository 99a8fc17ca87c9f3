import type { TaskRun } from '../types.js';

/**
 * What a work function runs, as data, when it was made from a descriptor: a command line, or a
 * module's export (the module's content is part of a task's cache key).
 */
export type RunIdentity =
  | { readonly kind: 'command'; readonly command: string }
  | { readonly kind: 'module'; readonly module: string; readonly export: string };

const identities = new WeakMap<TaskRun<any>, RunIdentity>();

/**
 * Says what `run` runs (commandTask, moduleTask and remoteTask do it for the functions they
 * make), so that a cacheable task is keyed by its command or module and not by a function's text.
 *
 * @example
 * identifyRun(run, { kind: 'command', command: 'make proofs' });
 */
export function identifyRun<Run extends TaskRun<any>>(run: Run, identity: RunIdentity): Run {
  identities.set(run, identity);
  return run;
}

/** What `run` runs, when a descriptor made it; undefined for any other function. */
export function runIdentityOf(run: TaskRun<any>): RunIdentity | undefined {
  return identities.get(run);
}
