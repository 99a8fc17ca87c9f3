import { Redis } from 'ioredis';
import { createScheduler } from '../../src/core/createScheduler.js';
import { bullmqExecutor, remoteHandlers, type DistributedExecutor, type DistributedOptions } from '../../src/distributed/index.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import type { SchedulerOptions } from '../../src/core/SchedulerOptions.js';

/** One run of a handler, as the test workers log it. */
export interface LogEntry {
  readonly node: string;
  readonly pid: number;
  readonly task: string;
  readonly attempt: number;
  readonly event: 'start' | 'end' | 'aborted';
  readonly at: number;
  readonly start?: number;
  readonly resources?: Record<string, number>;
  readonly reason?: string;
}

/**
 * A coordinator in this process: a scheduler on a BullMQ executor, with short checks. `created`
 * runs as soon as the scheduler exists, before anything else does (a scheduler restored from a
 * store adopts its running attempts in the next microtask).
 */
export async function startCoordinator(
  url: string,
  distributed: Partial<DistributedOptions> & Pick<DistributedOptions, 'nodes'>,
  options: SchedulerOptions = {},
  created?: (scheduler: Scheduler) => void,
): Promise<{ scheduler: Scheduler; executor: DistributedExecutor; close(): Promise<void> }> {
  const executor = bullmqExecutor({ connection: url, checkIntervalMs: 200, ...distributed });
  await executor.ready();
  const scheduler = createScheduler({
    handlers: remoteHandlers(['sleep', 'echo', 'fail', 'nope', 'split']),
    defaultRetry: { attempts: 1 },
    ...options,
    executor,
  });
  created?.(scheduler);
  return {
    scheduler,
    executor,
    async close() {
      await scheduler.stop({ graceMs: 2000 });
      await executor.close();
    },
  };
}

/** What the test workers logged under `prefix`. */
export async function readLog(url: string, prefix = 'xeno'): Promise<LogEntry[]> {
  const redis = new Redis(url);
  try {
    return (await redis.lrange(`${prefix}:log`, 0, -1)).map((line) => JSON.parse(line) as LogEntry);
  } finally {
    redis.disconnect();
  }
}

/** Waits until `check` holds, polling every 50 ms, for at most `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The most resource `name` held at once by runs that overlap in time, per node (or all). */
export function peakUse(entries: readonly LogEntry[], name: string, node?: string): number {
  const ends = entries.filter((e) => e.event === 'end' && (node === undefined || e.node === node));
  const points = ends.flatMap((e) => [
    { at: e.start as number, delta: (entries.find((s) => s.event === 'start' && s.task === e.task && s.attempt === e.attempt)?.resources?.[name] ?? 0) },
    { at: e.at, delta: -(entries.find((s) => s.event === 'start' && s.task === e.task && s.attempt === e.attempt)?.resources?.[name] ?? 0) },
  ]);
  points.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let peak = 0;
  for (const point of points) peak = Math.max(peak, (now += point.delta));
  return peak;
}
