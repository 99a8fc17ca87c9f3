import { loadConfig } from '../config/loadConfig.js';
import { loadWorkload } from '../config/loadWorkload.js';
import { toSchedulerOptions } from '../config/toSchedulerOptions.js';
import type { Workload } from '../config/workloadTypes.js';
import type { DistributedOptions } from '../distributed/DistributedOptions.js';
import type { ProtectedFile } from './checkReportPath.js';
import type { PolicyName, PolicyOptions } from '../types.js';
import type { SchedulerOptions } from '../core/SchedulerOptions.js';

/** Command-line settings that override the workload's configuration. */
export interface PlanFlags {
  /** A configuration file used instead of the workload's own `config`. */
  readonly config?: string | undefined;
  /** Overrides `task_scheduler.max_workers`. */
  readonly maxWorkers?: number | undefined;
  /** Overrides `priority_scheduler.policy`. */
  readonly policy?: PolicyName | undefined;
  /** Overrides `scheduler.speculate`: back up stragglers after this multiple of their bound. */
  readonly speculate?: number | undefined;
}

/** A loaded workload with the scheduler options it runs under. */
export interface Plan {
  readonly workload: Workload;
  /** Options for `createScheduler`, flags applied, the policy's settings included. */
  readonly options: SchedulerOptions & { readonly policy: PolicyName; readonly maxWorkers: number };
  /** With `type: distributed`: the coordinator's executor options. */
  readonly distributed: DistributedOptions | undefined;
}

/**
 * Loads and checks a workload file, its configuration (or the `--config` file instead) and the
 * flags that override it, and maps the result to scheduler options (and, for `type: distributed`,
 * the coordinator's executor options). Everything that can be wrong with the input is found here,
 * before anything runs.
 *
 * @throws ConfigurationError listing every problem of the files
 * @example
 * const { workload, options } = loadPlan('config/examples/proof-pipeline.yaml', { maxWorkers: 4 });
 */
export function loadPlan(file: string, flags: PlanFlags = {}): Plan {
  const workload =
    flags.config === undefined ? loadWorkload(file) : loadWorkload(file, { configOverride: loadConfig(flags.config) });
  const { options, policyOptions, distributed } = toSchedulerOptions(workload.config);
  const { name, ...policySettings } = policyOptions;
  return {
    workload,
    distributed,
    options: {
      ...options,
      maxWorkers: flags.maxWorkers ?? options.maxWorkers ?? 1,
      policy: flags.policy ?? name,
      ...(flags.speculate === undefined ? {} : { speculate: flags.speculate }),
      policyOptions: policySettings satisfies PolicyOptions,
    },
  };
}

/**
 * The files a plan was read from (the workload, the `--config` file or the configuration file the
 * workload names), which an output flag must not name.
 *
 * @example
 * checkReportPath(flags.report, '--report', planFiles(file, flags, plan));
 */
export function planFiles(file: string, flags: PlanFlags, plan: Plan): ProtectedFile[] {
  const { configFile } = plan.workload;
  return [
    { role: 'the workload', path: file },
    ...(flags.config === undefined ? [] : [{ role: 'the --config file', path: flags.config }]),
    ...(configFile === undefined ? [] : [{ role: "the workload's configuration file", path: configFile }]),
  ];
}
