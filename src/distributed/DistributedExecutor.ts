import type { Executor } from '../core/Executor.js';
import type { Adoption } from './findAdoptedJob.js';
import type { NodeStatus } from './NodeBoard.js';

/** The executor of a distributed coordinator: an {@link Executor} plus its nodes and its life. */
export interface DistributedExecutor extends Executor {
  /** Resolves once Redis is reached and every node's queue is open; rejects with a RedisUnreachableError. */
  ready(): Promise<void>;
  /** The nodes now: up or down, workers, jobs placed and running, resources. */
  nodes(): NodeStatus[];
  /** Calls `listener` with warnings (a worker for an unknown node); returns the unsubscribe. */
  onWarning(listener: (message: string) => void): () => void;
  /** The attempts adopted from a previous coordinator so far, and what was found of their jobs. */
  adoptions(): readonly Adoption[];
  /** Stops checking and closes every connection (jobs in Redis stay where they are). */
  close(): Promise<void>;
}
