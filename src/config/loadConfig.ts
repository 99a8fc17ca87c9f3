import type { XenoConfig } from './configSchema.js';
import { parseConfig, type ConfigOptions } from './parseConfig.js';
import { readTextFile } from './readTextFile.js';

/**
 * Reads, parses and validates a configuration file; see {@link parseConfig}.
 *
 * @throws ConfigurationError naming the file, the key path and line of each problem
 * @example
 * ```ts
 * const config = loadConfig('config/default.yaml');
 * const { options } = toSchedulerOptions(config);
 * ```
 */
export function loadConfig(path: string, options: ConfigOptions = {}): XenoConfig {
  return parseConfig(readTextFile(path), path, options);
}
