import { identifyRun } from '../history/runIdentity.js';
import type { TaskRun } from '../types.js';
import type { RunDescriptor } from '../workers/runDescriptor.js';

const descriptors = new WeakMap<TaskRun<any>, RunDescriptor | null>();

function remote(descriptor: RunDescriptor | null, what: string): TaskRun<any> {
  const run: TaskRun<any> = () => {
    throw new Error(`${what} runs only on a distributed worker: give the scheduler a distributed executor`);
  };
  descriptors.set(run, descriptor);
  return run;
}

/**
 * A work function that stands for a command or module run on a distributed worker: the
 * distributed executor sends its descriptor in the job; called in this process it throws.
 *
 * @example
 * scheduler.scheduleTask({ name: 'build', run: remoteTask({ kind: 'command', command: 'make' }) });
 */
export function remoteTask(descriptor: RunDescriptor): TaskRun<any> {
  const run = remote(descriptor, descriptor.kind === 'command' ? `command "${descriptor.command}"` : `module "${descriptor.module}"`);
  return identifyRun(run, descriptor.kind === 'command' ? descriptor : { kind: 'module', module: descriptor.module, export: descriptor.export ?? 'default' });
}

/**
 * Handlers for task types that only workers have: lets a coordinator accept tasks by `type`
 * (a worker's `handlers` run them).
 *
 * @example
 * createScheduler({ executor, handlers: remoteHandlers(['proof', 'render']) });
 */
export function remoteHandlers(types: readonly string[]): Record<string, TaskRun<any>> {
  return Object.fromEntries(types.map((type) => [type, remote(null, `task type "${type}"`)]));
}

/** The descriptor of a {@link remoteTask}; null for a remote handler; undefined for any other function. */
export function remoteDescriptorOf(run: TaskRun<any>): RunDescriptor | null | undefined {
  return descriptors.get(run);
}
