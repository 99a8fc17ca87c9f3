import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { closeWithin } from './closeWithin.js';
import { connectRedis } from './connectRedis.js';

/** Bounded waits for BullMQ's close(), in ms. */
const CLOSE_MS = 2000;

/** How long and how many finished jobs a node's queue keeps (for a restarted coordinator to read their outcome). */
export interface FinishedRetention {
  /** Finished jobs older than this are removed, in ms. */
  readonly ageMs: number;
  /** Beyond this many finished jobs of a kind (completed, failed), the oldest are removed. */
  readonly count: number;
  /**
   * Most jobs of a kind one trim removes for each rule: a backlog (a coordinator back after
   * days) goes over several checks instead of holding up the one that looks for lost workers.
   */
  readonly batch: number;
}

/**
 * One node's queue as the coordinator holds it: the BullMQ queue it adds jobs to, where its event
 * stream stood when it was opened (a {@link NodeEventReader} reads every node's from there), and a
 * stalled-job check (a worker that takes no jobs), because BullMQ checks a queue only from workers
 * of that queue and a node's last worker may be dead.
 */
export class NodeQueue {
  readonly queue: Queue;
  /** The node's BullMQ event stream. */
  readonly eventsKey: string;
  /** The id of the stream's last entry when the queue was opened: events after it are this coordinator's to read. */
  readonly lastEventId: string;
  readonly #checker: Worker;
  readonly #own: Redis;

  private constructor(queue: Queue, eventsKey: string, lastEventId: string, checker: Worker, own: Redis) {
    this.queue = queue;
    this.eventsKey = eventsKey;
    this.lastEventId = lastEventId;
    this.#checker = checker;
    this.#own = own;
  }

  /** Opens the node's queue on `redis` (shared, not closed here) plus a connection of its own for the stalled check. */
  static async open(node: string, url: string, redis: Redis, prefix: string, checkIntervalMs: number): Promise<NodeQueue> {
    const checkerRedis = await connectRedis(url);
    const queue = new Queue(node, { connection: redis, prefix });
    const eventsKey = `${prefix}:${node}:events`;
    const last = await redis.xrevrange(eventsKey, '+', '-', 'COUNT', 1);
    // maxStalledCount 0: a job whose worker died is failed (deferred), never silently run again;
    // the coordinator hears `stalled`, removes the job and counts an interrupted attempt.
    const checker = new Worker(node, null, { connection: checkerRedis, prefix, autorun: false, maxStalledCount: 0, stalledInterval: checkIntervalMs });
    checker.on('error', () => undefined);
    queue.on('error', () => undefined);
    void checker.startStalledCheckTimer().catch(() => undefined);
    return new NodeQueue(queue, eventsKey, last[0]?.[0] ?? '0', checker, checkerRedis);
  }

  /**
   * Removes the finished jobs `keep` no longer covers: past its count (oldest first, all of them),
   * or older than its age (a batch per call), completed and failed alike. The coordinator calls it at its checks instead
   * of giving every job BullMQ's `removeOnComplete`, which costs Redis about a tenth of what a
   * quick job costs it in all (its removal queries run in every job's completion script).
   */
  async trimFinished(keep: FinishedRetention): Promise<void> {
    for (const kind of ['completed', 'failed'] as const) {
      // Past the count: all of the excess, oldest first, a batch per clean (each is one script
      // Redis runs alone); a node finishing more than a batch between checks never falls behind.
      for (let excess = (await this.queue.getJobCountByTypes(kind)) - keep.count; excess > 0; excess -= keep.batch) {
        const removed = await this.queue.clean(0, Math.min(excess, keep.batch), kind);
        if (removed.length === 0) break;
      }
      // Past the age: a batch per check (the count bounds what is left). Asked only when the
      // oldest is that old: every clean writes a `cleaned` event the coordinator wakes up for.
      const [oldest] = await this.queue.getJobs([kind], 0, 0, true);
      if (oldest?.finishedOn !== undefined && oldest.finishedOn < Date.now() - keep.ageMs) await this.queue.clean(keep.ageMs, keep.batch, kind);
    }
  }

  async close(): Promise<void> {
    await Promise.all([closeWithin(this.#checker.close(true), CLOSE_MS), closeWithin(this.queue.close(), CLOSE_MS)]);
    this.#own.disconnect();
  }
}
