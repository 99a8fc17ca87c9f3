/** The Redis keys of a cluster besides BullMQ's own: who works, for which node, and cancels. */
export interface RedisKeys {
  /** Hash: worker id → its announcement (JSON). */
  readonly workers: string;
  /** Per worker: exists while the worker lives (refreshed by its heartbeat, expires after it dies). */
  alive(workerId: string): string;
  /** Pub/sub channel: cancel requests for running jobs. */
  readonly cancel: string;
  /**
   * Set: the node names of the running coordinator, so a worker for another node can be refused.
   * It lives only while a coordinator does: it expires unless the coordinator refreshes it (see
   * {@link nodesTtlMs}), and a coordinator that closes deletes it.
   */
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

/**
 * How long a coordinator's node list outlives its last refresh, in ms: five checks, and never
 * under 2 s (a check slowed by Redis must not let the list lapse while the coordinator runs).
 *
 * @example
 * nodesTtlMs(1000); // 5000
 */
export function nodesTtlMs(checkIntervalMs: number): number {
  return Math.max(2000, 5 * checkIntervalMs);
}
