// xeno-scheduler/distributed: a coordinator's executor on BullMQ and Redis, and the worker side.
// Its own entry: bullmq and ioredis load only when a distributed run is used.

export { bullmqExecutor } from './bullmqExecutor.js';
export type { DistributedExecutor } from './bullmqExecutor.js';
export type { Adoption, AdoptedJobState } from './findAdoptedJob.js';
export type { DistributedOptions, LoadBalancing, NodeSpec } from './DistributedOptions.js';
export type { NodeStatus } from './NodeBoard.js';
export { createWorker } from './createWorker.js';
export type { CreateWorkerOptions, DistributedWorker } from './createWorker.js';
export { remoteTask, remoteHandlers } from './remoteTask.js';
export { RedisUnreachableError } from './RedisUnreachableError.js';
export { UnknownNodeError } from './UnknownNodeError.js';
export { HandlerMissingError } from './HandlerMissingError.js';
export { WorkerLostError } from './WorkerLostError.js';
