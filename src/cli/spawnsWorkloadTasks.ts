import { TaskSchedulingError } from '../errors.js';
import { identifyRun, runIdentityOf } from '../history/runIdentity.js';
import type { TaskContext, TaskRun, TaskSpec } from '../types.js';

/** A spec in the workload's task shape: it names a command or a module to run, or is a race of such alternatives. */
function isWorkloadShaped(spec: unknown): spec is Record<string, unknown> & { id?: unknown } {
  if (typeof spec !== 'object' || spec === null) return false;
  if ('command' in spec || 'module' in spec) return true;
  return 'race' in spec && Array.isArray(spec.race) && spec.race.some(isWorkloadShaped);
}

/**
 * `run`, a workload's module task, with a `ctx.spawn` that also takes children in the workload's
 * own task shape (`{ id, command | module, config, resources, ... }`, YAML keys), as a command
 * writes them to `XENO_SPAWN_FILE`: each is read with `readTasks` (checked as a workload's tasks
 * are, its run made as theirs are) and spawned; other specs pass as they are. A module in a
 * worker thread can send no function, so this is how it adds children that run something.
 *
 * @example
 * // in the module: spawn([{ id: 'lemma-1', command: 'prove 1' }]);
 * spawnsWorkloadTasks(toTaskRun(descriptor, options), readSpawnFile);
 */
export function spawnsWorkloadTasks(run: TaskRun<any>, readTasks: (text: string, source: string) => TaskSpec[]): TaskRun<any> {
  const asTaskSpecs = (specs: readonly TaskSpec<any>[], parent: string): readonly TaskSpec<any>[] => {
    if (!Array.isArray(specs) || !specs.some(isWorkloadShaped)) return specs;
    const tasks: Record<string, unknown> = {};
    for (const [i, spec] of specs.entries()) {
      if (!isWorkloadShaped(spec)) continue;
      const { id, ...task } = spec;
      if (typeof id !== 'string' || id === '') {
        throw new TaskSchedulingError(`spawn[${i}].id: expected the task's name (a non-empty string) for a child with a command or a module, found ${JSON.stringify(id)}`, `spawn[${i}].id`);
      }
      tasks[id] = task;
    }
    // Read back by id: a mapping lists integer-like keys ("7") first, whatever order they came in.
    const read = new Map(readTasks(JSON.stringify(tasks), `spawn of task "${parent}"`).map((task) => [task.id, task]));
    return specs.map((spec) => (isWorkloadShaped(spec) ? (read.get(spec.id as string) as TaskSpec) : spec));
  };
  const withSpawn = (ctx: TaskContext): unknown =>
    run({
      get task() {
        return ctx.task;
      },
      config: ctx.config,
      attempt: ctx.attempt,
      get signal() {
        return ctx.signal;
      },
      ...(ctx.reportUsage === undefined ? {} : { reportUsage: ctx.reportUsage }),
      spawn: (specs) => ctx.spawn(asTaskSpecs(specs, ctx.task.id)),
    });
  const identity = runIdentityOf(run);
  return identity === undefined ? withSpawn : identifyRun(withSpawn, identity);
}
