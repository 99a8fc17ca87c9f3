import type { DurationDistribution } from './types.js';

/** Draws of a truncated normal before falling back to its mean (the chance of needing it is < 2^-64 for mean > 0). */
const MAX_NORMAL_DRAWS = 64;

/**
 * Draws one duration in ms from a distribution with a seeded `random` (see `createRandom`).
 * Normal draws are truncated to values > 0 by drawing again; exponential uses inversion.
 *
 * @example
 * sampleDurationMs({ distribution: 'uniform', minMs: 1000, maxMs: 2000 }, createRandom(1)); // in [1000, 2000]
 */
export function sampleDurationMs(duration: DurationDistribution, random: () => number): number {
  switch (duration.distribution) {
    case 'fixed':
      return duration.valueMs;
    case 'uniform':
      return duration.minMs + (duration.maxMs - duration.minMs) * random();
    case 'exponential':
      return -duration.meanMs * Math.log(1 - random());
    case 'normal': {
      for (let draw = 0; draw < MAX_NORMAL_DRAWS; draw++) {
        // Box-Muller; 1 − u keeps the logarithm finite.
        const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        const value = duration.meanMs + duration.stddevMs * gaussian;
        if (value > 0) return value;
      }
      return duration.meanMs;
    }
  }
}
