// Types and constants only: the configuration module and the simulator use these without loading
// bullmq or ioredis.

/**
 * How the coordinator picks the node for an attempt (see `chooseNode`); the simulator's
 * `SimulatedLoadBalancing` adds `earliest_finish`.
 */
export type LoadBalancing = 'round_robin' | 'least_loaded' | 'resource_aware';

/** The load-balancing modes, in documentation order. */
export const LOAD_BALANCING: readonly LoadBalancing[] = ['round_robin', 'least_loaded', 'resource_aware'];

/**
 * One node: a BullMQ queue that the workers started with its name take attempts from. The
 * simulator's `SimulatedNode` is this, keyed by name, with a speed.
 */
export interface NodeSpec {
  /** Letters, digits, `_`, `.` and `-`; no `:` (it names the node's queue). */
  readonly name: string;
  /** Most attempts placed on the node at once. @default the sum of its live workers' concurrency */
  readonly maxWorkers?: number | undefined;
  /** What the node offers, for `resource_aware`. @default what its live workers announce */
  readonly resources?: Readonly<Record<string, number>> | undefined;
}

/** Options of `bullmqExecutor`: where Redis is, the nodes, and how attempts are placed. */
export interface DistributedOptions {
  /** A Redis URL such as `redis://127.0.0.1:6379`. */
  readonly connection: string;
  /** The nodes, by name or as {@link NodeSpec}s. */
  readonly nodes: readonly (string | NodeSpec)[];
  /** @default 'round_robin' */
  readonly loadBalancing?: LoadBalancing | undefined;
  /**
   * Move attempts waiting on a node whose workers are all gone to live nodes; with `false` they
   * wait for a worker of their node.
   * @default true
   */
  readonly failover?: boolean | undefined;
  /** Milliseconds between checks for lost workers, down nodes and missed outcomes. @default 1000 */
  readonly checkIntervalMs?: number | undefined;
  /**
   * Jobs a node may hold per worker slot (waiting ones included), so that a worker never idles
   * while the coordinator hears about the last job. @default 2
   */
  readonly prefetch?: number | undefined;
  /**
   * Names this coordinator's jobs (`<runId>.<task>.<attempt>`): a coordinator restarted with the
   * same `runId` finds the jobs of its attempts again (see `adopt`). @default a random id
   */
  readonly runId?: string | undefined;
  /** Prefix of every Redis key, BullMQ's included. @default 'xeno' */
  readonly prefix?: string | undefined;
  /**
   * Milliseconds after which an attempt that no live worker can take (no worker connected, none
   * with its handler, no node with that much of a resource) is reported as a warning
   * (`onWarning`, and on stderr from the CLI), once per attempt. `explainTask` says it at once.
   * @default 30000
   */
  readonly warnUnplaceableAfterMs?: number | undefined;
}
