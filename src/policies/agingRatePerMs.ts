import { InvalidOptionsError } from '../errors.js';
/** Aging interval used when a priority boost is configured without one: one minute. */
export const DEFAULT_AGING_INTERVAL_MS = 60_000;

/**
 * Maps the configuration's `priority_boost` and an aging interval to the linear aging rate of
 * {@link priorityPolicy}: a waiting task gains `priorityBoost` priority levels for every
 * `agingIntervalMs` it waits, so the rate is `priorityBoost / agingIntervalMs` levels per ms.
 *
 * With the seed's `priority_boost: 1.2` and the default interval of 60 s, a task gains 1.2 levels
 * a minute: a `lowest` (1) task outranks a `highest` (5) task that became ready
 * (5 − 1) / 1.2 minutes = 200 s after it. `priorityBoost = 0` or `agingIntervalMs = 0` (the
 * configuration's `aging_interval: 0`) turns aging off: the rate is 0.
 *
 * @example
 * agingRatePerMs(1.2, 60_000); // 0.00002 levels per ms
 * agingRatePerMs(1.2, 0); // 0: aging disabled
 */
export function agingRatePerMs(priorityBoost: number, agingIntervalMs: number = DEFAULT_AGING_INTERVAL_MS): number {
  if (!Number.isFinite(priorityBoost) || priorityBoost < 0) {
    throw new InvalidOptionsError(`agingRatePerMs: expected priorityBoost to be a finite number >= 0, received ${String(priorityBoost)}`, 'priorityBoost');
  }
  if (!Number.isFinite(agingIntervalMs) || agingIntervalMs < 0) {
    throw new InvalidOptionsError(`agingRatePerMs: expected agingIntervalMs to be a finite number >= 0 (0 disables aging), received ${String(agingIntervalMs)}`, 'agingIntervalMs');
  }
  return agingIntervalMs === 0 ? 0 : priorityBoost / agingIntervalMs;
}
