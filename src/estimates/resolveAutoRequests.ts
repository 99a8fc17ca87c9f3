import { DEFAULT_AUTO_REQUESTS } from './LearnedEstimates.js';
import type { TaskIdentity, UsageLearner } from '../usageTypes.js';

/** Pools whose request may be `'auto'`. */
export const AUTO_POOLS: readonly string[] = Object.freeze(['memory', 'cpu']);

/** A request in which `memory` and `cpu` may be `'auto'`. */
export type ResourceRequest = Readonly<Record<string, number | 'auto'>>;

/**
 * Replaces `'auto'` in a request by what the history recommends for the task (p90 of its peak
 * memory or cores plus the margin), else by what it recommends for its type, else by
 * {@link DEFAULT_AUTO_REQUESTS}; each bounded by the pool's capacity. A request with no `'auto'`
 * is returned as it is; a name other than memory or cpu given as `'auto'` is returned for the
 * caller to refuse (see `autoProblem`).
 *
 * @example
 * resolveAutoRequests({ memory: 'auto', disk: 2 }, task, learned, { memory: 8 }); // { memory: 0.2, disk: 2 }
 */
export function resolveAutoRequests(
  request: ResourceRequest,
  task: TaskIdentity,
  learned: UsageLearner | undefined,
  capacity: Readonly<Record<string, number>>,
): Readonly<Record<string, number>> {
  const names = Object.keys(request).filter((name) => request[name] === 'auto');
  if (names.length === 0) return request as Readonly<Record<string, number>>;
  const recommended = learned?.recommend(task, capacity) ?? {};
  const resolved: Record<string, number> = { ...(request as Record<string, number>) };
  for (const name of names) {
    const value = (recommended as Record<string, number | undefined>)[name] ?? DEFAULT_AUTO_REQUESTS[name as 'memory' | 'cpu'];
    resolved[name] = Math.min(value, capacity[name] ?? value);
  }
  return resolved;
}

/** The first `'auto'` a request may not have (only memory and cpu are learned), or undefined. */
export function autoProblem(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  return Object.entries(request).find(([name, value]) => value === 'auto' && !AUTO_POOLS.includes(name))?.[0];
}
