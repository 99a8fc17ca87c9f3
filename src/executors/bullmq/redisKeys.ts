/** The Redis keys of a cluster besides BullMQ's own: who works, for which node, and cancels. */
export interface RedisKeys {
  /** Hash: worker id → its announcement (JSON). */
  readonly workers: string;
  /** Per worker: exists while the worker lives (refreshed by its heartbeat, expires after it dies). */
  alive(workerId: string): string;
  /** Pub/sub channel: cancel requests for running jobs. */
  readonly cancel: string;
  /** Set: the node names of the coordinator, so a worker for another node can be refused. */
  readonly nodes: string;
}

/**
 * The keys under `prefix` (BullMQ's queues live under the same prefix).
 *
 * @example
 * redisKeys('xeno').workers; // 'xeno:cluster:workers'
 */
export function redisKeys(prefix: string): RedisKeys {
  return {
    workers: `${prefix}:cluster:workers`,
    alive: (workerId) => `${prefix}:cluster:alive:${workerId}`,
    cancel: `${prefix}:cluster:cancel`,
    nodes: `${prefix}:cluster:nodes`,
  };
}
