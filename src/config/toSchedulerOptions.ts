import { ConfigurationError } from '../errors.js';
import type { PolicyName, SchedulerOptions } from '../types.js';
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
}

/**
 * Maps a validated configuration to `createScheduler`'s options, converting the file's units to
 * the API's: seconds become milliseconds, `retry_attempts` (retries) becomes `attempts` (runs, one
 * more), and the resource sections become pools named `cpu`, `memory` (GB), `disk` (GB),
 * `network` and the custom names.
 *
 * `scheduler.type` selects the backend. `task`, `resource`, `dependency` and `priority` all mean the
 * local scheduler, which does all four jobs, so every section except `distributed_scheduler` is
 * applied whichever of them is named. `distributed` is refused, because that backend does not
 * exist yet.
 *
 * @throws ConfigurationError (a SchedulerError with code `CONFIGURATION`) when `scheduler.type` is `distributed`
 * @example
 * ```ts
 * const { options, policyOptions } = toSchedulerOptions(loadConfig('config/default.yaml'));
 * const scheduler = createScheduler(options);
 * ```
 */
export function toSchedulerOptions(config: XenoConfig): ConfigSchedulerOptions {
  const { type, task_scheduler, dependency_scheduler, priority_scheduler } = config.scheduler;
  if (type === 'distributed') {
    throw new ConfigurationError([
      {
        file: '<config>',
        path: 'scheduler.type',
        line: undefined,
        expected: 'task, resource, dependency or priority',
        found: '"distributed"',
        hint: 'the distributed backend does not exist yet; use a local type, which applies every other section',
      },
    ]);
  }
  return {
    options: {
      maxWorkers: task_scheduler.max_workers,
      resources: resourcePool(config),
      defaultTimeoutMs: task_scheduler.timeout * 1000,
      defaultRetry: { attempts: task_scheduler.retry_attempts + 1 },
      maxDependencyDepth: dependency_scheduler.max_dependency_depth,
      dependencyTimeoutMs: dependency_scheduler.dependency_timeout * 1000,
      defaultPriority: resolvePriority(priority_scheduler.default_priority),
      policy: priority_scheduler.policy,
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
