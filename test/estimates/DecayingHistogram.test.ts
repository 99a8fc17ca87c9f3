import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecayingHistogram } from '../../src/internal/DecayingHistogram.js';

const HALF_LIFE = 1000;

/** The exact weighted percentile of samples (value, weight): the smallest value with share ≥ p below or at it. */
function exactPercentile(samples: readonly { value: number; weight: number }[], p: number): number {
  const sorted = [...samples].sort((a, b) => a.value - b.value);
  const total = sorted.reduce((sum, s) => sum + s.weight, 0);
  let sum = 0;
  for (const s of sorted) {
    sum += s.weight;
    if (sum >= p * total * (1 - 1e-12)) return s.value;
  }
  return sorted[sorted.length - 1]!.value;
}

const sample = fc.record({ value: fc.double({ min: 1, max: 1e7, noNaN: true }), at: fc.integer({ min: 0, max: 20_000 }) });

describe('DecayingHistogram', () => {
  it('reads every percentile within half a bucket (sqrt(ratio)) of the exact weighted percentile, samples weighted 2^(age / half-life)', () => {
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (samples, p) => {
        // In time order: a sample never predates the newest one (see the clock test below).
        const ordered = [...samples].sort((a, b) => a.at - b.at);
        const h = new DecayingHistogram({ halfLifeMs: HALF_LIFE });
        for (const s of ordered) h.add(s.value, s.at);
        const last = ordered[ordered.length - 1]!.at;
        const weighted = ordered.map((s) => ({ value: s.value, weight: 2 ** ((s.at - last) / HALF_LIFE) }));
        const exact = exactPercentile(weighted, p);
        const read = h.percentile(p)!;
        // A bucket holds values within a factor `ratio`; its middle is within sqrt(ratio) of any of them.
        expect(read / exact).toBeLessThanOrEqual(Math.sqrt(1.05) * (1 + 1e-9));
        expect(exact / read).toBeLessThanOrEqual(Math.sqrt(1.05) * (1 + 1e-9));
        expect(h.totalWeight).toBeCloseTo(weighted.reduce((sum, s) => sum + s.weight, 0), 6);
      }),
    );
  });

  it('halves the weight of a sample per half-life: one old run of 100 against one new run of 1000 a half-life later puts p50 at 1000 only once the new one outweighs it', () => {
    const h = new DecayingHistogram({ halfLifeMs: HALF_LIFE });
    h.add(100, 0);
    h.add(1000, HALF_LIFE);
    // The old sample weighs 0.5 against the new one's 1: below the median weight of 0.75.
    expect(h.percentile(0.5)).toBeCloseTo(1000, -2);
    expect(h.percentile(0.3)).toBeCloseTo(100, -1);
    expect(h.totalWeight).toBeCloseTo(1.5);
  });

  it('merges into the histogram of all the samples of both, whatever their order', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 40 }), fc.array(sample, { maxLength: 40 }), (left, right) => {
        const build = (samples: typeof left): DecayingHistogram => {
          const h = new DecayingHistogram({ halfLifeMs: HALF_LIFE });
          for (const s of [...samples].sort((a, b) => a.at - b.at)) h.add(s.value, s.at);
          return h;
        };
        const merged = build(left);
        merged.merge(build(right));
        const whole = build([...left, ...right]);
        for (const p of [0, 0.1, 0.5, 0.9, 1]) expect(merged.percentile(p)).toBe(whole.percentile(p));
        if (!whole.isEmpty) expect(merged.totalWeight).toBeCloseTo(whole.totalWeight, 6);
      }),
    );
  });

  it('survives a round trip through JSON unchanged', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 40 }), (samples) => {
        const h = new DecayingHistogram({ halfLifeMs: HALF_LIFE });
        for (const s of [...samples].sort((a, b) => a.at - b.at)) h.add(s.value, s.at);
        const back = DecayingHistogram.fromJSON(JSON.parse(JSON.stringify(h)));
        expect(back.toJSON()).toEqual(h.toJSON());
        expect(back.percentile(0.9)).toBe(h.percentile(0.9));
      }),
    );
  });

  it('counts a sample dated before the newest one (a clock that went back) as taken at the newest time', () => {
    const h = new DecayingHistogram({ halfLifeMs: HALF_LIFE });
    h.add(10, 5000);
    h.add(1000, 0); // the clock went back 5 s: not an ancient sample, a current one
    expect(h.totalWeight).toBeCloseTo(2);
    expect(h.lastAt).toBe(5000);
  });

  it('keeps working across a jump of the clock far ahead: old samples fade to nothing, the new one rules', () => {
    const h = new DecayingHistogram({ halfLifeMs: HALF_LIFE });
    for (let i = 0; i < 100; i++) h.add(10, i);
    h.add(5000, 1000 * HALF_LIFE); // a clock set a thousand half-lives ahead
    expect(h.percentile(0.5)).toBeCloseTo(5000, -3);
    expect(Number.isFinite(h.totalWeight)).toBe(true);
    h.add(5000, 1001 * HALF_LIFE);
    expect(h.percentile(0.01)).toBeCloseTo(5000, -3);
  });

  it('refuses JSON that is not a histogram, naming the field', () => {
    expect(() => DecayingHistogram.fromJSON({ v: 2 })).toThrow(/expected \{ v: 1/);
    expect(() => DecayingHistogram.fromJSON({ v: 1, halfLifeMs: 1, minValue: 1, ratio: 1.05, referenceAt: 0, lastAt: 0, buckets: [[-1, 1]] })).toThrow(
      /histogram\.buckets: expected \[integer ≥ 0/,
    );
    expect(() => new DecayingHistogram({ halfLifeMs: 0 })).toThrow(/halfLifeMs: expected a finite number > 0, found 0/);
  });
});
