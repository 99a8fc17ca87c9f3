// xeno-scheduler/config: YAML configuration and workloads (zod, yaml), listed by name.
// Its own entry so that `import { createScheduler } from 'xeno-scheduler'` never loads them.

export { parseConfig } from './parseConfig.js';
export { loadConfig } from './loadConfig.js';
export { configSchema } from './configSchema.js';
export type { XenoConfig, XenoConfigInput } from './configSchema.js';
export { configJsonSchema } from './configJsonSchema.js';
export { toSchedulerOptions } from './toSchedulerOptions.js';
export { parseWorkload } from './parseWorkload.js';
export { loadWorkload } from './loadWorkload.js';
export { parseSpawnFile } from './parseSpawnFile.js';
export type { Workload, WorkloadTask, TaskRunDescriptor, TaskDuration } from './workloadTypes.js';
// The error these throw, also exported by the core entry.
export { ConfigurationError, formatConfigIssue } from '../errors.js';
export type { ConfigIssue } from '../errors.js';
