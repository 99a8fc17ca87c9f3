import { ConfigurationError } from '../errors.js';
import { applyEnvOverrides, type Environment } from './applyEnvOverrides.js';
import { configSchema, type XenoConfig } from './configSchema.js';
import { describeZodIssues } from './describeZodIssues.js';
import { configIssue, type KeyPath, type YamlSource } from './parseYamlSource.js';
import { valueAt } from './valueAt.js';

/**
 * Validates the configuration found at `base` inside a parsed YAML file (the whole file for a
 * configuration file, `config` for a workload's inline one), after applying the environment's
 * overrides. Throws a {@link ConfigurationError} with one issue per problem: issues in the file
 * carry its path and line; issues caused by an override name the variable.
 *
 * @example
 * ```ts
 * const config = validateConfig(parseYamlSource(text, 'scheduler.yaml'), [], process.env);
 * ```
 */
export function validateConfig(source: YamlSource, base: KeyPath, env: Environment): XenoConfig {
  const overrides = applyEnvOverrides(valueAt(source.data, base), env);
  if (overrides.issues.length > 0) throw new ConfigurationError(overrides.issues);
  const result = configSchema.safeParse(overrides.data);
  if (result.success) return result.data;
  const problems = describeZodIssues(result.error.issues, configSchema, overrides.data);
  throw new ConfigurationError(
    problems.map(({ path, expected, found, hint }) => {
      const variable = overrides.sourceOf(path);
      return variable === undefined
        ? source.issue([...base, ...path], expected, found, hint)
        : configIssue(`env ${variable}`, path, undefined, expected, found, hint);
    }),
  );
}
