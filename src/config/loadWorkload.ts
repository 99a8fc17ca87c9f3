import { parseWorkload, type WorkloadOptions } from './parseWorkload.js';
import { readTextFile } from './readTextFile.js';
import type { Workload } from './workloadTypes.js';

/**
 * Reads and validates a workload file before anything runs: the tasks' fields, what each runs
 * (exactly one of `command` or `module` + `export`, or nothing for simulation-only tasks), repeated
 * names, unknown dependencies, cycles, chains deeper than the configuration allows, and resource
 * requests the pool could never grant. The configuration is `options.configOverride`, else the
 * file's `config` (inline or a path relative to the file), else the defaults.
 *
 * @throws ConfigurationError with one issue per problem (file, key path, line, expected, found)
 * @example
 * ```ts
 * const { config, tasks } = loadWorkload('config/examples/proof-pipeline.yaml');
 * for (const task of tasks) console.log(task.name, task.dependencies, task.run);
 * ```
 */
export function loadWorkload(path: string, options: WorkloadOptions = {}): Workload {
  return parseWorkload(readTextFile(path), path, options);
}
