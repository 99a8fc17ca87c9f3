// xeno-scheduler/policies: the built-in scheduling policies, by name or as values, and the parts
// a custom policy is made of (its queue, the comparison of priorities, aging). A scheduler takes
// one as `policy` (see docs/policies.md); the core entry needs none of these names.

export { resolvePolicy, POLICY_NAMES } from './resolvePolicy.js';
export { priorityPolicy } from './priorityPolicy.js';
export { fifoPolicy } from './fifoPolicy.js';
export { shortestFirstPolicy } from './shortestFirstPolicy.js';
export { criticalPathPolicy } from './criticalPathPolicy.js';
export type { CriticalPathPolicyOptions, SchedulerSetting } from './criticalPathPolicy.js';
export { fairSharePolicy } from './fairSharePolicy.js';
export { heapQueue } from './heapQueue.js';
export { comparePriority } from './comparePriority.js';
export { agingRatePerMs } from './agingRatePerMs.js';
export type { PolicyContext, PolicyName, PolicyOptions, QueuedTask, ReadyQueue, SchedulingPolicy } from '../types.js';
