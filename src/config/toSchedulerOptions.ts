import { ConfigurationError } from '../errors.js';
import type { DistributedOptions } from '../distributed/DistributedOptions.js';
import type { PolicyName } from '../types.js';
import type { SchedulerOptions } from '../core/SchedulerOptions.js';
import type { XenoConfig } from './configSchema.js';
import { resolvePriority } from './prioritySchema.js';
import { resourcePool } from './resourcePool.js';

/** The policy settings of a configuration, in the API's units, for building the policy. */
export interface ConfigPolicyOptions {
  /** The policy `scheduler.priority_scheduler.policy` names. */
  readonly name: PolicyName;
  /** Factor by which aging raises a waiting task's priority. */
  readonly priorityBoost: number;
  /** Milliseconds between priority boosts of a waiting task; `0` disables aging. */
  readonly agingIntervalMs: number;
  /** Whether a smaller task may use resources reserved for a blocked one. */
  readonly backfill: boolean;
  /** Fair-share weight of each group; groups not listed weigh 1. */
  readonly groupWeights: Readonly<Record<string, number>>;
}

/** What {@link toSchedulerOptions} returns. */
export interface ConfigSchedulerOptions {
  /** Options for `createScheduler`. */
  readonly options: SchedulerOptions & { readonly policy: PolicyName };
  /** The policy's own settings, which `SchedulerOptions` has no place for. */
  readonly policyOptions: ConfigPolicyOptions;
  /**
   * With `type: distributed`, the options of `bullmqExecutor` (from `xeno-scheduler/distributed`),
   * whose executor then goes into `options.executor`; undefined for the local types.
   */
  readonly distributed: DistributedOptions | undefined;
}

/**
 * Maps a validated configuration to `createScheduler`'s options, converting the file's units to
 * the API's: seconds become milliseconds, `retry_attempts` (retries) becomes `attempts` (runs, one
 * more), and the resource sections become pools named `cpu`, `memory` (GB), `disk` (GB),
 * `network` and the custom names.
 *
 * `scheduler.type` selects the backend. `task`, `resource`, `dependency` and `priority` all mean the
 * local scheduler, which does all four jobs, so every section except `distributed_scheduler` is
 * applied whichever of them is named. `distributed` applies them too (the coordinator keeps the
 * queue, the graph and the pools) and also returns `distributed`: the nodes, the load balancing,
 * failover and the Redis URL (`redis`, else the `XENO_REDIS_URL` variable of `env`).
 *
 * @throws ConfigurationError (a SchedulerError with code `CONFIGURATION`) when `type` is `distributed` and no Redis URL is given
 * @example
 * ```ts
 * const { options, policyOptions } = toSchedulerOptions(loadConfig('config/default.yaml'));
 * const scheduler = createScheduler(options);
 * ```
 */
export function toSchedulerOptions(config: XenoConfig, env: Readonly<Record<string, string | undefined>> = process.env): ConfigSchedulerOptions {
  const { type, task_scheduler, dependency_scheduler, priority_scheduler } = config.scheduler;
  return {
    distributed: type === 'distributed' ? toDistributedOptions(config, env) : undefined,
    options: {
      maxWorkers: task_scheduler.max_workers,
      resources: resourcePool(config),
      defaultTimeoutMs: task_scheduler.timeout * 1000,
      defaultRetry: { attempts: task_scheduler.retry_attempts + 1 },
      maxInterruptions: task_scheduler.max_interruptions,
      maxDependencyDepth: dependency_scheduler.max_dependency_depth,
      dependencyTimeoutMs: dependency_scheduler.dependency_timeout * 1000,
      defaultPriority: resolvePriority(priority_scheduler.default_priority),
      policy: priority_scheduler.policy,
      ...(config.scheduler.speculate === undefined ? {} : { speculate: config.scheduler.speculate }),
    },
    policyOptions: {
      name: priority_scheduler.policy,
      priorityBoost: priority_scheduler.priority_boost,
      agingIntervalMs: priority_scheduler.aging_interval * 1000,
      backfill: priority_scheduler.backfill,
      groupWeights: { ...priority_scheduler.group_weights },
    },
  };
}

function toDistributedOptions(config: XenoConfig, env: Readonly<Record<string, string | undefined>>): DistributedOptions {
  const section = config.scheduler.distributed_scheduler;
  const connection = section.redis ?? env['XENO_REDIS_URL'];
  if (connection === undefined || connection === '') {
    throw new ConfigurationError([
      {
        // The type may come from the environment: then the problem is that variable's.
        file: env['XENO_SCHEDULER__TYPE'] === undefined ? '<config>' : 'env XENO_SCHEDULER__TYPE',
        path: 'scheduler.distributed_scheduler.redis',
        line: undefined,
        expected: 'a Redis URL for type: distributed',
        found: 'none (and no XENO_REDIS_URL variable)',
        hint: 'set redis: redis://host:6379, or export XENO_REDIS_URL',
      },
    ]);
  }
  return {
    connection,
    nodes: section.nodes.map((node) =>
      typeof node === 'string' ? { name: node } : { name: node.name, maxWorkers: node.max_workers, resources: node.resources },
    ),
    loadBalancing: section.load_balancing,
    failover: section.failover,
    checkIntervalMs: section.check_interval * 1000,
    prefetch: section.prefetch,
  };
}
