import type { Redis } from 'ioredis';
import type { WorkerAnnouncement } from './AttemptJob.js';
import type { RedisKeys } from './redisKeys.js';

/** A worker's standing announcement; `stop()` withdraws it. */
export interface Announcement {
  stop(): Promise<void>;
}

/**
 * Announces a worker (its node, concurrency, resources and handler types) and keeps it alive: a
 * key that expires `ttlMs` after the last heartbeat, so a worker killed with SIGKILL disappears
 * from its node within `ttlMs`. Heartbeats every third of `ttlMs`; each one reads the running
 * coordinator's node list too, and gives it to `onNodes` (empty while no coordinator runs).
 *
 * @example
 * const announcement = await announceWorker(redis, keys, worker, 30_000, (nodes) => check(nodes));
 * await announcement.stop();
 */
export async function announceWorker(redis: Redis, keys: RedisKeys, worker: WorkerAnnouncement, ttlMs: number, onNodes: (nodes: string[]) => void): Promise<Announcement> {
  const beat = async (): Promise<void> => {
    const replies = await redis.multi().hset(keys.workers, worker.id, JSON.stringify(worker)).set(keys.alive(worker.id), '1', 'PX', ttlMs).smembers(keys.nodes).exec();
    const nodes = replies?.[2]?.[1];
    if (Array.isArray(nodes)) onNodes(nodes as string[]);
  };
  await beat();
  const timer = setInterval(() => void beat().catch(() => undefined), Math.max(10, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.multi().hdel(keys.workers, worker.id).del(keys.alive(worker.id)).exec();
    },
  };
}

/**
 * The workers alive now, by their announcements; announcements whose heartbeat expired are
 * removed.
 *
 * @example
 * const workers = await readLiveWorkers(redis, keys);
 */
export async function readLiveWorkers(redis: Redis, keys: RedisKeys): Promise<WorkerAnnouncement[]> {
  const all = await redis.hgetall(keys.workers);
  const ids = Object.keys(all);
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.exists(keys.alive(id));
  const alive = (await pipeline.exec()) ?? [];
  const live: WorkerAnnouncement[] = [];
  const gone: string[] = [];
  ids.forEach((id, index) => {
    if (alive[index]?.[1] === 1) live.push(JSON.parse(all[id] as string) as WorkerAnnouncement);
    else gone.push(id);
  });
  if (gone.length > 0) await redis.hdel(keys.workers, ...gone);
  return live;
}
