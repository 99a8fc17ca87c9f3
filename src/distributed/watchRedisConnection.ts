import type { Redis } from 'ioredis';

/**
 * Calls `onLost` once per outage when a live connection drops (ioredis starts reconnecting), and
 * `onBack` when it is ready again.
 *
 * @example
 * watchRedisConnection(redis, () => warn('Redis lost'), () => warn('Redis back'));
 */
export function watchRedisConnection(redis: Redis, onLost: () => void, onBack: () => void): void {
  let isLost = false;
  redis.on('reconnecting', () => {
    if (isLost) return;
    isLost = true;
    onLost();
  });
  redis.on('ready', () => {
    if (!isLost) return;
    isLost = false;
    onBack();
  });
}
