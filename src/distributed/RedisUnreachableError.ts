import { SchedulerError } from '../errors.js';

/** Redis could not be reached at start: the URL (without its password) and why. */
export class RedisUnreachableError extends SchedulerError {
  /** The URL tried, its password replaced by `***`. */
  readonly url: string;
  constructor(url: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('REDIS_UNREACHABLE', `cannot reach Redis at ${url}: ${why}`, { cause });
    this.name = 'RedisUnreachableError';
    this.url = url;
  }
}
