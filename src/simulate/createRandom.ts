/**
 * A seeded pseudo-random generator (mulberry32) returning numbers in [0, 1). The same seed gives
 * the same sequence on every platform; simulations use it instead of `Math.random`.
 *
 * @example
 * const random = createRandom(42);
 * random(); // always the same first number for seed 42
 */
export function createRandom(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new TypeError(`createRandom: expected a finite seed, received ${String(seed)}`);
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
