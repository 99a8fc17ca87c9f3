import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { closeWithin } from './closeWithin.js';
import { connectRedis } from './connectRedis.js';

/** What happens to jobs of a node, as its event stream tells. */
export interface NodeQueueListener {
  active(jobId: string): void;
  completed(jobId: string, returnvalue: unknown): void;
  failed(jobId: string, failedReason: string): void;
  stalled(jobId: string): void;
}

/** Bounded waits for BullMQ's close(), in ms. */
const CLOSE_MS = 2000;

/**
 * One node's queue as the coordinator holds it: the BullMQ queue it adds jobs to, the event
 * stream it hears outcomes from, and a stalled-job check (a worker that takes no jobs), because
 * BullMQ checks a queue only from workers of that queue and a node's last worker may be dead.
 */
export class NodeQueue {
  readonly queue: Queue;
  readonly #events: QueueEvents;
  readonly #checker: Worker;
  readonly #own: Redis[];

  private constructor(queue: Queue, events: QueueEvents, checker: Worker, own: Redis[]) {
    this.queue = queue;
    this.#events = events;
    this.#checker = checker;
    this.#own = own;
  }

  /**
   * Opens the node's queue on `redis` (shared, not closed here) plus two connections of its own;
   * events are read from the stream's current end, so none between this call and the first job
   * is missed.
   */
  static async open(node: string, url: string, redis: Redis, prefix: string, checkIntervalMs: number, listener: NodeQueueListener): Promise<NodeQueue> {
    const own = [await connectRedis(url), await connectRedis(url)];
    const [eventsRedis, checkerRedis] = own as [Redis, Redis];
    const queue = new Queue(node, { connection: redis, prefix });
    const last = await redis.xrevrange(`${prefix}:${node}:events`, '+', '-', 'COUNT', 1);
    const events = new QueueEvents(node, { connection: eventsRedis, prefix, lastEventId: last[0]?.[0] ?? '0' });
    events.on('active', ({ jobId }) => listener.active(jobId));
    events.on('completed', ({ jobId, returnvalue }) => listener.completed(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => listener.failed(jobId, failedReason));
    events.on('stalled', ({ jobId }) => listener.stalled(jobId));
    events.on('error', () => undefined); // reconnects are ioredis's; missed outcomes are reconciled
    // maxStalledCount 0: a job whose worker died is failed (deferred), never silently run again;
    // the coordinator hears `stalled`, removes the job and counts an interrupted attempt.
    const checker = new Worker(node, null, { connection: checkerRedis, prefix, autorun: false, maxStalledCount: 0, stalledInterval: checkIntervalMs });
    checker.on('error', () => undefined);
    queue.on('error', () => undefined);
    await events.waitUntilReady();
    void checker.startStalledCheckTimer().catch(() => undefined);
    return new NodeQueue(queue, events, checker, own);
  }

  async close(): Promise<void> {
    await Promise.all([closeWithin(this.#events.close(), CLOSE_MS), closeWithin(this.#checker.close(true), CLOSE_MS), closeWithin(this.queue.close(), CLOSE_MS)]);
    for (const redis of this.#own) redis.disconnect();
  }
}
