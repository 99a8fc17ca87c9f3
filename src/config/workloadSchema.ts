import { z } from 'zod';
import { prioritySchema } from './prioritySchema.js';

/**
 * A duration in seconds, up to about 31 years: the simulator's virtual clock counts whole ms in a
 * double, and a task of 1e15 s made its sums lose the ms and its loop never end.
 */
const MAX_SECONDS = 1e9;
const seconds = z.number().min(0).max(MAX_SECONDS);

const uniformSchema = z
  .strictObject({
    distribution: z.literal('uniform'),
    min: seconds.describe('Shortest duration, in seconds.'),
    max: seconds.describe('Longest duration, in seconds.'),
  })
  .superRefine((value, ctx) => {
    if (value.max < value.min) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `a number ≥ min (${value.min})`, params: { found: String(value.max) } });
    }
  });

const normalSchema = z.strictObject({
  distribution: z.literal('normal'),
  mean: z.number().positive().max(MAX_SECONDS).describe('Mean duration, in seconds.'),
  stddev: seconds.describe('Standard deviation, in seconds.'),
});

const exponentialSchema = z.strictObject({
  distribution: z.literal('exponential'),
  mean: z.number().positive().max(MAX_SECONDS).describe('Mean duration, in seconds.'),
});

/** A simulated duration: fixed seconds, or a distribution with its parameters in seconds. */
export const durationSchema = z.union([
  seconds,
  z.discriminatedUnion('distribution', [uniformSchema, normalSchema, exponentialSchema]),
]);

/** The fields of a task, shared by a workload's tasks and a race's alternatives. */
const taskFields = {
  type: z.string().min(1).default('generic').describe('The task\'s type.'),
  priority: prioritySchema.optional().describe('Name or level 1-5; defaults to the configuration\'s default_priority.'),
  dependencies: z.array(z.string().min(1)).default([]).describe('Names of tasks that must complete first.'),
  resources: z
    .record(z.string().min(1), z.union([z.number().positive(), z.literal('auto')]))
    .default({})
    .describe('Amount of each pool resource held while running; memory and cpu may be auto (learned from --history).'),
  timeout: seconds.optional().describe('Per-attempt time limit in seconds, 0 for none; defaults to task_scheduler.timeout.'),
  retries: z.number().int().min(0).optional().describe('Retries after a failed run; defaults to task_scheduler.retry_attempts.'),
  max_interruptions: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Crash interruptions a resumed run tolerates before the task fails (not counted as retries); defaults to task_scheduler.max_interruptions.'),
  estimate: z.union([seconds, z.literal('auto')]).optional().describe('Estimated duration in seconds, for policies and simulation; auto: the one learned from --history.'),
  memory_limit: z.literal('enforce').optional().describe('enforce: an attempt whose measured memory goes 15% over its memory request is killed (MemoryLimitError) and retried with 1.2 times the memory.'),
  duration: durationSchema.optional().describe('Simulated duration.'),
  group: z.string().min(1).optional().describe('Group for the fair-share policy.'),
  idempotent: z.boolean().optional().describe('Running it twice at once is harmless: speculate may start a backup copy of it when it straggles.'),
  config: z
    .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]))
    .default({})
    .describe('Settings handed to the task: environment variables for a command, ctx.config for a module.'),
  command: z.string().min(1).optional().describe('Shell command line to run.'),
  module: z.string().min(1).optional().describe('Module to import, relative to the workload file.'),
  export: z.string().min(1).optional().describe('Name of the module\'s export to run.'),
  worker: z.boolean().optional().describe('Run the module\'s export in a worker thread.'),
  inputs: z
    .array(z.string().min(1))
    .optional()
    .describe('Files the task reads (paths and globs relative to the workload file; [] for none): makes it cacheable with --history (docs/incremental-runs.md).'),
  outputs: z.array(z.string().min(1)).optional().describe('Files the task writes (paths and globs relative to the workload file): stored with its result, restored when it is cached.'),
  env_inputs: z.array(z.string().min(1)).optional().describe('Environment variables whose values are part of the task\'s cache key.'),
  cache: z.boolean().optional().describe('false: never cached, even with inputs.'),
};

type TaskFields = z.infer<z.ZodObject<typeof taskFields>>;

/**
 * What a task runs: exactly one of `command` or `module` + `export`, or neither (simulation
 * only); `auto` only for the memory and cpu it asks for.
 */
const checkRun = (task: TaskFields, ctx: z.RefinementCtx): void => {
  const fail = (path: string, message: string, found: string) => ctx.addIssue({ code: 'custom', path: [path], message, params: { found } });
  for (const [name, amount] of Object.entries(task.resources)) {
    if (amount === 'auto' && name !== 'memory' && name !== 'cpu') {
      ctx.addIssue({ code: 'custom', path: ['resources', name], message: 'a number > 0 (auto is learned only for memory and cpu)', params: { found: 'auto' } });
    }
  }
  const moduleFields = (['module', 'export'] as const).filter((field) => task[field] !== undefined);
  if (task.command !== undefined && moduleFields.length > 0) {
    fail('command', 'either command or module + export, not both', `command and ${moduleFields.join(' + ')}`);
  } else if (task.module !== undefined && task.export === undefined) {
    fail('export', `the name of the export to run from module "${task.module}"`, 'nothing');
  } else if (task.module === undefined && task.export !== undefined) {
    fail('module', `a module to take export "${task.export}" from`, 'nothing');
  } else if (task.module === undefined && task.worker !== undefined) {
    fail('worker', 'worker only beside module + export (a command runs in its own process)', `worker: ${task.worker}`);
  }
};

/** An alternative of a race: a task of its own, with no race inside. */
const alternativeSchema = z.strictObject(taskFields).superRefine(checkRun);

/**
 * One task of a workload file. What it runs is exactly one of `command` (a shell command line) or
 * `module` + `export` (with `worker: true` to run it in a worker thread); a task with neither only
 * has an estimate or duration, for simulation.
 */
export const workloadTaskSchema = z
  .strictObject({
    ...taskFields,
    race: z
      .array(alternativeSchema)
      .min(2)
      .optional()
      .describe('Alternatives run at once as children of this task when it is ready; the first to complete wins and the others are cancelled. A race runs nothing of its own.'),
  })
  .superRefine((task, ctx) => {
    checkRun(task, ctx);
    if (task.race === undefined) return;
    const own = (['command', 'module', 'export'] as const).filter((field) => task[field] !== undefined);
    if (own.length > 0) {
      ctx.addIssue({ code: 'custom', path: [own[0] as string], message: 'nothing beside race: a race runs only its alternatives', params: { found: own.join(' + ') } });
    }
  });

/**
 * A workload file: the tasks keyed by name, and optionally the configuration (inline, as in a
 * configuration file, or a path relative to the workload file). The inline configuration is
 * checked against `configSchema` separately, so that environment overrides apply to it.
 *
 * @example
 * ```ts
 * workloadSchema.parse({ tasks: { hello: { command: 'echo hello' } } });
 * ```
 */
export const workloadSchema = z.strictObject({
  config: z
    .union([z.string().min(1), z.record(z.string(), z.unknown())])
    .optional()
    .describe('The configuration: inline, or the path of a configuration file relative to this file.'),
  tasks: z
    .record(z.string().regex(/\S/, 'a name with a character other than spaces'), workloadTaskSchema)
    .refine((tasks) => Object.keys(tasks).length > 0, { message: 'at least one task' })
    .describe('The tasks, keyed by name.'),
});

/** A workload file as validated, before defaults from the configuration are applied. */
export type WorkloadFile = z.infer<typeof workloadSchema>;

/** One task as validated. */
export type WorkloadTaskFile = z.infer<typeof workloadTaskSchema>;
