import { z } from 'zod';
import { prioritySchema } from './prioritySchema.js';

/** Names the pool gives the four built-in resources; `custom` resources may not reuse them. */
export const builtInResourceNames = ['cpu', 'memory', 'disk', 'network'] as const;

/** The scheduler kinds of the reference design. */
export const schedulerTypes = ['task', 'resource', 'dependency', 'priority', 'distributed'] as const;

/** The built-in scheduling policies a configuration may name. */
export const policyNames = ['priority', 'fifo', 'shortest-first', 'critical-path', 'fair-share'] as const;

const positiveNumber = z.number().positive();
const positiveInteger = z.number().int().positive();
const nonNegativeNumber = z.number().min(0);
const nonNegativeInteger = z.number().int().min(0);
const namedAmounts = z.record(z.string().min(1), positiveNumber);

const taskSchedulerSchema = z
  .strictObject({
    max_workers: positiveInteger.default(4).describe('Most tasks running at once.'),
    timeout: nonNegativeNumber
      .default(300)
      .describe('Per-attempt time limit of a task, in seconds; 0 disables it.'),
    retry_attempts: nonNegativeInteger
      .default(3)
      .describe('How many times a failed task is retried (3 means up to four runs).'),
    max_interruptions: nonNegativeInteger
      .default(3)
      .describe(
        'How many times a run resumed with --state may find a task\'s attempt interrupted (the scheduler\'s process died: a kill -9, a power loss) and start it again without using a retry; interrupted once more, the task fails.',
      ),
  })
  .describe('Workers, timeouts, retries and crash interruptions.');

const resourceSchedulerSchema = z
  .strictObject({
    cpu_cores: positiveNumber.default(4).describe('Capacity of the `cpu` pool, in cores.'),
    memory_gb: positiveNumber.default(8).describe('Capacity of the `memory` pool, in GB.'),
    disk_gb: positiveNumber.default(100).describe('Capacity of the `disk` pool, in GB.'),
    network_bandwidth: positiveNumber
      .default(1000)
      .describe('Capacity of the `network` pool, in the unit tasks request it in (the seed uses Mbit/s).'),
    custom: namedAmounts
      .default({})
      .describe('Extra named resource pools and their capacities, e.g. `{ gpu: 2 }`.'),
  })
  .superRefine((section, ctx) => {
    for (const name of builtInResourceNames) {
      if (name in section.custom) {
        ctx.addIssue({
          code: 'custom',
          path: ['custom', name],
          message: `a name other than the built-in resources (${builtInResourceNames.join(', ')})`,
          params: { hint: `set the ${name} capacity with its own key instead` },
        });
      }
    }
  })
  .describe('Capacities of the resource pools tasks request from.');

const dependencySchedulerSchema = z
  .strictObject({
    max_dependency_depth: positiveInteger
      .default(10)
      .describe('Longest chain of dependencies allowed (edges from a task to its deepest ancestor).'),
    dependency_timeout: nonNegativeNumber
      .default(600)
      .describe('A task still waiting for its dependencies after this many seconds fails; 0 disables it.'),
  })
  .describe('Limits on dependency chains.');

const prioritySchedulerSchema = z
  .strictObject({
    default_priority: prioritySchema.default('normal').describe('Priority of tasks that give none.'),
    priority_boost: positiveNumber
      .default(1.2)
      .describe('Factor by which aging raises a waiting task\'s priority, for the priority policy.'),
    policy: z.enum(policyNames).default('priority').describe('Which policy orders the ready tasks.'),
    aging_interval: nonNegativeNumber
      .default(60)
      .describe('Seconds a ready task waits between priority boosts; 0 disables aging.'),
    backfill: z
      .boolean()
      .default(false)
      .describe('Let a smaller task use resources reserved for a blocked one if it ends before they are needed.'),
    group_weights: namedAmounts
      .default({})
      .describe('Share of each group under the fair-share policy; groups not listed weigh 1.'),
  })
  .describe('How ready tasks are ordered.');

/** How a distributed coordinator picks the node for an attempt. */
export const loadBalancingModes = ['round_robin', 'least_loaded', 'resource_aware'] as const;

/** A node name: also its BullMQ queue's name, so no `:` and nothing a shell would mangle. */
const nodeName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'a node name: letters, digits, _ . - (at most 64, no ":")' });

const nodeSchema = z.union(
  [
    nodeName,
    z.strictObject({
      name: nodeName.describe('The node\'s name; workers join it with `--node <name>`.'),
      max_workers: positiveInteger.optional().describe('Most attempts running on the node at once; default: its workers\' concurrency.'),
      resources: namedAmounts
        .optional()
        .describe('What the node offers, e.g. `{ cpu: 8, gpu: 1 }`; used by `resource_aware` (default: what its workers announce).'),
    }),
  ],
  { error: 'a node name, or a mapping { name, max_workers, resources }' },
);

const distributedSchedulerSchema = z
  .strictObject({
    nodes: z
      .array(nodeSchema)
      .min(1)
      .default(['node1', 'node2', 'node3'])
      .superRefine((nodes, ctx) => {
        const seen = new Set<string>();
        nodes.forEach((node, index) => {
          const name = typeof node === 'string' ? node : node.name;
          if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [index], message: `a node name not used before ("${name}" is listed twice)` });
          seen.add(name);
        });
      })
      .describe('The nodes: each a queue that the worker processes started with `--node <name>` take attempts from.'),
    load_balancing: z
      .enum(loadBalancingModes)
      .default('round_robin')
      .describe(
        'How the coordinator picks a node: round_robin takes them in turn, least_loaded the one with the fewest attempts per worker, resource_aware one whose free resources fit the task.',
      ),
    failover: z
      .boolean()
      .default(true)
      .describe('Move attempts waiting on a node whose workers are all gone to live nodes (false: they wait for the node to return).'),
    redis: z
      .string()
      .regex(/^(redis|rediss):\/\/\S+$/, { error: 'a Redis URL, e.g. redis://127.0.0.1:6379' })
      .optional()
      .describe('The Redis that BullMQ runs on; default: the XENO_REDIS_URL variable.'),
    check_interval: positiveNumber
      .default(1)
      .describe('Seconds between the coordinator\'s checks for lost workers, down nodes and missed outcomes.'),
    prefetch: positiveInteger
      .default(2)
      .describe(
        'Attempts a node may hold per worker slot, queued ones included, under least_loaded and resource_aware; for many short tasks raise it with max_workers (see docs/distributed-runs.md#sizing-the-window).',
      ),
  })
  .describe('Settings of `type: distributed`: a coordinator placing attempts on worker nodes through BullMQ on Redis.');

/**
 * The one source of truth for a xeno-scheduler configuration file (the reference design's YAML).
 * Units are the file's: seconds and GB. Every object is strict, and every field has the reference
 * design's value as its default, so `configSchema.parse({})` is the default configuration.
 *
 * @example
 * ```ts
 * const config = configSchema.parse({ scheduler: { task_scheduler: { max_workers: 8 } } });
 * config.scheduler.task_scheduler.timeout; // 300
 * ```
 */
export const configSchema = z
  .strictObject({
    scheduler: z
      .strictObject({
        type: z
          .enum(schedulerTypes)
          .default('task')
          .describe(
            'Which backend runs the tasks. task, resource, dependency and priority all select the local scheduler, which applies every section but distributed_scheduler; distributed makes this process a coordinator whose attempts run on worker processes (see distributed_scheduler).',
          ),
        task_scheduler: taskSchedulerSchema.prefault({}),
        resource_scheduler: resourceSchedulerSchema.prefault({}),
        dependency_scheduler: dependencySchedulerSchema.prefault({}),
        priority_scheduler: prioritySchedulerSchema.prefault({}),
        distributed_scheduler: distributedSchedulerSchema.prefault({}),
        speculate: positiveNumber
          .optional()
          .describe(
            "Back up a straggling attempt of an idempotent task (idempotent: true) once it has run this many times its bound (its learned p90 duration, else its estimate), when a worker and its resources are free and no queued task of higher priority waits; the first copy to succeed wins and the other is cancelled. Off when absent; run --speculate overrides it.",
          ),
        history: z
          .string()
          .min(1)
          .optional()
          .describe('The history file (SQLite) that outlives runs: cached results of cacheable tasks (docs/incremental-runs.md). Relative to the folder the command runs in; --history and XENO_HISTORY override it.'),
      })
      .prefault({}),
  })
  .describe('xeno-scheduler configuration');

/** A validated configuration with every default filled in. */
export type XenoConfig = z.infer<typeof configSchema>;

/** What a configuration file may contain: every field optional. */
export type XenoConfigInput = z.input<typeof configSchema>;
