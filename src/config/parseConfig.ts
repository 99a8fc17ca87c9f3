import type { Environment } from './applyEnvOverrides.js';
import type { XenoConfig } from './configSchema.js';
import { parseYamlSource } from './parseYamlSource.js';
import { validateConfig } from './validateConfig.js';

/** Options of {@link parseConfig} and {@link loadConfig}. */
export interface ConfigOptions {
  /**
   * Where `XENO_SCHEDULER__…` overrides are read from (see `applyEnvOverrides`); pass `{}` to
   * ignore the environment.
   * @default process.env
   */
  readonly env?: Environment;
}

/**
 * Parses and validates configuration YAML, filling every missing field with its default and
 * applying `XENO_SCHEDULER__…` environment overrides. An empty text is the default configuration.
 *
 * @param file the name used in error messages
 * @throws ConfigurationError with one issue per problem (file, key path, line, expected, found)
 * @example
 * ```ts
 * const config = parseConfig('scheduler:\n  task_scheduler:\n    max_workers: 8\n');
 * config.scheduler.task_scheduler.max_workers; // 8
 * config.scheduler.task_scheduler.timeout;     // 300 (seconds)
 * ```
 */
export function parseConfig(text: string, file = '<string>', options: ConfigOptions = {}): XenoConfig {
  return validateConfig(parseYamlSource(text, file), [], options.env ?? process.env);
}
