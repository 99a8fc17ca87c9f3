import { dirname, resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';
import type { Environment } from './applyEnvOverrides.js';
import { checkConfigVariables } from './checkConfigVariables.js';
import { checkDependencies } from './checkDependencies.js';
import { checkTaskResources } from './checkTaskResources.js';
import type { XenoConfig } from './configSchema.js';
import { describeZodIssues } from './describeZodIssues.js';
import { parseConfig } from './parseConfig.js';
import { parseYamlSource, type YamlSource } from './parseYamlSource.js';
import { readTextFile } from './readTextFile.js';
import { resourcePool } from './resourcePool.js';
import { toWorkloadTask } from './toWorkloadTask.js';
import { validateConfig } from './validateConfig.js';
import { workloadSchema, type WorkloadFile } from './workloadSchema.js';
import type { Workload } from './workloadTypes.js';

/** Options of {@link parseWorkload} and {@link loadWorkload}. */
export interface WorkloadOptions {
  /** A configuration to use instead of the workload's own `config` (which is then not read). */
  readonly configOverride?: XenoConfig;
  /**
   * Where `XENO_SCHEDULER__…` overrides of the workload's configuration are read from.
   * @default process.env
   */
  readonly env?: Environment;
}

function workloadConfig(workload: WorkloadFile, source: YamlSource, options: WorkloadOptions): { config: XenoConfig; configFile?: string } {
  const env = options.env ?? process.env;
  if (options.configOverride) return { config: options.configOverride };
  if (typeof workload.config === 'string') {
    const path = resolve(dirname(resolve(source.file)), workload.config);
    const text = readTextFile(path, (reason) => source.issue(['config'], 'the path of a readable configuration file', JSON.stringify(workload.config), reason));
    return { config: parseConfig(text, path, { env }), configFile: path };
  }
  if (workload.config !== undefined) return { config: validateConfig(source, ['config'], env) };
  return { config: parseConfig('', '<defaults>', { env }) };
}

/**
 * Parses and validates workload YAML; see {@link loadWorkload}. Relative paths (`config`,
 * `module`) are resolved against the folder of `file` (the current folder for '<string>').
 *
 * @throws ConfigurationError with one issue per problem
 * @example
 * ```ts
 * const { tasks } = parseWorkload('tasks:\n  hello:\n    command: echo hello\n');
 * tasks[0]?.run; // { kind: 'command', command: 'echo hello' }
 * ```
 */
export function parseWorkload(text: string, file = '<string>', options: WorkloadOptions = {}): Workload {
  const source = parseYamlSource(text, file);
  const result = workloadSchema.safeParse(source.data);
  if (!result.success) {
    const problems = describeZodIssues(result.error.issues, workloadSchema, source.data);
    throw new ConfigurationError(problems.map(({ path, expected, found, hint }) => source.issue(path, expected, found, hint)));
  }
  const workload = result.data;
  const { config, configFile } = workloadConfig(workload, source, options);
  const entries = Object.entries(workload.tasks);
  const problems = [
    ...checkDependencies(new Map(entries.map(([name, task]) => [name, task.dependencies])), config.scheduler.dependency_scheduler.max_dependency_depth),
    ...checkTaskResources(new Map(entries.map(([name, task]) => [name, task.resources])), resourcePool(config)),
    // Only a command gets its config as XENO_CONFIG_ variables; a module gets ctx.config, an object.
    ...checkConfigVariables(new Map(entries.filter(([, task]) => task.command !== undefined).map(([name, task]) => [name, task.config]))),
  ];
  if (problems.length > 0) {
    throw new ConfigurationError(problems.map(({ path, expected, found, hint }) => source.issue(path, expected, found, hint)));
  }
  const baseDir = dirname(resolve(file));
  const tasks = entries.map(([name, task]) => toWorkloadTask(name, task, config, baseDir));
  return { file, config, ...(configFile === undefined ? {} : { configFile }), tasks };
}
