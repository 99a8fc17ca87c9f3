import { createRandom } from './createRandom.js';
import { sampleDurationMs } from './sampleDurationMs.js';
import type { SimulationTask } from './types.js';

/**
 * The durations {@link simulate} runs for a seed, in ms, one per task in workload order: drawn up
 * front from one seeded generator and rounded, so every policy sees the same durations.
 *
 * @example
 * drawDurations(normalizeWorkload(workload), 1); // [30000, 61234, ...]
 */
export function drawDurations(tasks: readonly SimulationTask[], seed: number): number[] {
  const random = createRandom(seed);
  return tasks.map((task) => Math.max(0, Math.round(sampleDurationMs(task.duration, random))));
}
