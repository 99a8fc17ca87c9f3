import { TaskSchedulingError } from '../errors.js';
import type { TaskContext, TaskRecord, TaskRun, TaskSpec } from '../types.js';
import type { MeasuredUsage } from '../usageTypes.js';
import { toTaskRun, type RunDescriptor, type ToTaskRunOptions } from '../workers/runDescriptor.js';
import { serializeError } from '../workers/serializeError.js';
import type { AttemptJobData, AttemptJobResult } from './AttemptJob.js';
import { HandlerMissingError } from './HandlerMissingError.js';
import type { JobAbort } from './JobAbort.js';

/** What a worker runs jobs with. */
export interface JobRunner {
  readonly workerId: string;
  readonly node: string;
  /** Work functions by task type. */
  readonly handlers: Readonly<Record<string, TaskRun<any>>>;
  /** Options for command and module descriptors; undefined: this worker runs none. */
  readonly descriptors: ToTaskRunOptions | undefined;
  /** Work functions made from descriptors, kept so a module is loaded once. */
  readonly made: Map<string, TaskRun<any>>;
}

function runOf(runner: JobRunner, data: AttemptJobData): TaskRun<any> {
  if (data.run !== undefined && runner.descriptors !== undefined) {
    // A module runs inline here: the worker process is the unit of parallelism.
    const descriptor: RunDescriptor = data.run.kind === 'module' ? { ...data.run, worker: false } : data.run;
    const key = JSON.stringify(descriptor);
    let run = runner.made.get(key);
    if (run === undefined) runner.made.set(key, (run = toTaskRun(descriptor, runner.descriptors)));
    return run;
  }
  const handler = Object.hasOwn(runner.handlers, data.type) ? runner.handlers[data.type] : undefined;
  if (handler === undefined) {
    const type = data.run === undefined ? data.type : `${data.type}" (a ${data.run.kind}; this worker runs no commands or modules`;
    throw new HandlerMissingError(type, runner.node, Object.keys(runner.handlers));
  }
  return handler;
}

/**
 * Runs one attempt's job on a worker and returns its outcome as data: a failure (with name,
 * message and stack) is a result, not a thrown error, so it reaches the coordinator intact and
 * BullMQ never retries on its own. What the work measured of itself (`ctx.reportUsage`: a
 * command's peak memory and CPU time) travels with it.
 *
 * @example
 * const outcome = await runAttemptJob(runner, job.data, new JobAbort());
 */
export async function runAttemptJob(runner: JobRunner, data: AttemptJobData, abort: JobAbort): Promise<AttemptJobResult> {
  // What the work reports of itself; the common quick handler reports neither, and its result
  // is then built without them (no spreads, no array per job).
  let usage: MeasuredUsage | undefined;
  let spawned: TaskSpec[] | undefined;
  try {
    const run = runOf(runner, data);
    if (abort.isAborted) throw abort.reason;
    const context: TaskContext<any> = {
      task: data.task as unknown as TaskRecord,
      config: data.config,
      attempt: data.attempt,
      get signal() {
        return abort.signal;
      },
      reportUsage: (reported) => (usage = reported),
      // No scheduler here: the children go back to the coordinator with the result, which
      // schedules them as this task's children (and fails the attempt if it refuses them).
      spawn: (specs) => {
        if (!Array.isArray(specs)) throw new TaskSchedulingError(`spawn: expected an array of task specs, received ${typeof specs}`, 'spawn');
        return specs.map((spec, i) => {
          if (typeof spec?.run === 'function') {
            throw new TaskSchedulingError(`spawn[${i}].run: a distributed worker sends children to the coordinator, which cannot take a function: give a type (a handler) instead`, `spawn[${i}].run`);
          }
          if (typeof spec?.id !== 'string') {
            throw new TaskSchedulingError(`spawn[${i}].id: a distributed worker's children need ids (the coordinator schedules them after the work returns)`, `spawn[${i}].id`);
          }
          (spawned ??= []).push(spec);
          return spec.id;
        });
      },
    };
    const result = await run(context);
    if (spawned === undefined && usage === undefined) return { ok: true, result, worker: runner.workerId };
    return { ok: true, result, worker: runner.workerId, ...(spawned === undefined ? {} : { spawned }), ...(usage === undefined ? {} : { usage }) };
  } catch (error) {
    return { ok: false, error: serializeError(error), worker: runner.workerId, ...(usage === undefined ? {} : { usage }) };
  }
}
