import { dirname, resolve } from 'node:path';
import { ConfigurationError, type ConfigIssue } from '../errors.js';
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
import { withAlternatives } from './withAlternatives.js';
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

function workloadConfig(workload: Pick<WorkloadFile, 'config'>, source: YamlSource, options: WorkloadOptions): { config: XenoConfig; configFile?: string } {
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

/** What the graph and pool checks read of a task. */
interface CheckedFields {
  readonly race?: readonly CheckedFields[] | undefined;
  readonly dependencies: readonly string[];
  readonly resources: Readonly<Record<string, number | 'auto'>>;
  readonly command?: unknown;
  readonly config?: Readonly<Record<string, unknown>>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The fields the graph and pool checks need, read from tasks that failed the schema as far as they
 * can be: so that one round lists every problem (a bad priority does not hide a cycle).
 */
function readableTasks(data: unknown): [string, CheckedFields][] {
  const tasks = isRecord(data) && isRecord(data['tasks']) ? data['tasks'] : {};
  return Object.entries(tasks).map(([name, task]) => {
    const fields = isRecord(task) ? task : {};
    const dependencies = Array.isArray(fields['dependencies']) ? fields['dependencies'].filter((dependency): dependency is string => typeof dependency === 'string') : [];
    const resources = isRecord(fields['resources']) ? Object.fromEntries(Object.entries(fields['resources']).filter((entry): entry is [string, number] => typeof entry[1] === 'number')) : {};
    return [name, { dependencies, resources }];
  });
}

/** The configuration, or the issues that keep it from being read (then checks that need it are left out). */
function readConfig(data: unknown, source: YamlSource, options: WorkloadOptions): { config?: XenoConfig; configFile?: string; issues: ConfigIssue[] } {
  const config = isRecord(data) ? data['config'] : undefined;
  if (!options.configOverride && config !== undefined && typeof config !== 'string' && !isRecord(config)) return { issues: [] }; // the schema reports it
  try {
    return { ...workloadConfig({ config: config as WorkloadFile['config'] }, source, options), issues: [] };
  } catch (error) {
    if (error instanceof ConfigurationError) return { issues: [...error.issues] };
    throw error;
  }
}

/**
 * Parses and validates workload YAML; see {@link loadWorkload}. Relative paths (`config`,
 * `module`) are resolved against the folder of `file` (the current folder for '<string>').
 * Every problem is reported at once: the file's shape, its configuration, the dependency graph and
 * the resource requests (a task that fails the schema is still checked as far as it can be read).
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
  const shape = result.success ? [] : describeZodIssues(result.error.issues, workloadSchema, source.data);
  const { config, configFile, issues } = readConfig(source.data, source, options);
  const entries: [string, CheckedFields][] = result.success ? Object.entries(result.data.tasks) : readableTasks(source.data);
  // A race's alternatives are tasks of the run: checked as such, reported at their place in the file.
  const { checked, atPlace } = withAlternatives<CheckedFields>(entries);
  const problems = [
    ...shape,
    ...checkDependencies(new Map(checked.map(([name, task]) => [name, task.dependencies])), config?.scheduler.dependency_scheduler.max_dependency_depth ?? Number.POSITIVE_INFINITY).map(atPlace),
    ...(config === undefined ? [] : checkTaskResources(new Map(checked.map(([name, task]) => [name, task.resources])), resourcePool(config)).map(atPlace)),
    // Only a command gets its config as XENO_CONFIG_ variables; a module gets ctx.config, an object.
    ...(result.success ? checkConfigVariables(new Map(entries.filter(([, task]) => task.command !== undefined).map(([name, task]) => [name, task.config]))) : []),
  ];
  if (problems.length > 0 || issues.length > 0 || !result.success || config === undefined) {
    throw new ConfigurationError([...problems.map(({ path, expected, found, hint }) => source.issue(path, expected, found, hint)), ...issues]);
  }
  const baseDir = dirname(resolve(file));
  const tasks = Object.entries(result.data.tasks).map(([name, task]) => toWorkloadTask(name, task, config, baseDir));
  return { file, config, ...(configFile === undefined ? {} : { configFile }), tasks };
}
