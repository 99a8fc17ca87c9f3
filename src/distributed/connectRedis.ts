import { Redis } from 'ioredis';
import { redactUrl } from './redactUrl.js';
import { RedisUnreachableError } from './RedisUnreachableError.js';

/** How long one attempt to connect may take, in ms. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Opens an ioredis connection as BullMQ needs it (`maxRetriesPerRequest: null`). The first connect
 * fails fast with a {@link RedisUnreachableError} naming the URL; once connected, a lost
 * connection is retried for as long as it takes.
 *
 * @example
 * const redis = await connectRedis('redis://127.0.0.1:6379');
 */
export async function connectRedis(url: string): Promise<Redis> {
  let lastError: unknown;
  let redis: Redis;
  try {
    redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: CONNECT_TIMEOUT_MS, retryStrategy: () => null });
  } catch (error) {
    throw new RedisUnreachableError(redactUrl(url), error);
  }
  // Errors after the first connect are reconnects: ioredis retries them; nobody need hear each.
  redis.on('error', (error) => (lastError = error));
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new RedisUnreachableError(redactUrl(url), lastError ?? error);
  }
  redis.options.retryStrategy = (times) => Math.min(times * 100, 2000);
  return redis;
}
