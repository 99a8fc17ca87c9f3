import type { XenoConfig } from './configSchema.js';

/**
 * The capacity of every resource pool a configuration defines, under the names tasks request:
 * `cpu` (cores), `memory` (GB), `disk` (GB), `network` (the seed's bandwidth unit), then the
 * `custom` ones.
 *
 * @example
 * ```ts
 * resourcePool(parseConfig('')); // { cpu: 4, memory: 8, disk: 100, network: 1000 }
 * ```
 */
export function resourcePool(config: XenoConfig): Record<string, number> {
  const { cpu_cores, memory_gb, disk_gb, network_bandwidth, custom } = config.scheduler.resource_scheduler;
  return { cpu: cpu_cores, memory: memory_gb, disk: disk_gb, network: network_bandwidth, ...custom };
}
