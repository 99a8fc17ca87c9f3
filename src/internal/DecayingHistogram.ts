/** The serialised form of a {@link DecayingHistogram} (plain JSON). */
export interface DecayingHistogramJson {
  readonly v: 1;
  readonly halfLifeMs: number;
  /** Lower edge of bucket 0; values below it count in bucket 0. */
  readonly minValue: number;
  /** Each bucket is this many times wider than the one before (and starts that much higher). */
  readonly ratio: number;
  /** The time weights are relative to (a sample taken at `referenceAt` weighs 1 per count). */
  readonly referenceAt: number;
  /** The newest sample's time; a sample dated earlier counts as taken then. */
  readonly lastAt: number;
  /** [bucket index, weight relative to `referenceAt`], sparse, by index. */
  readonly buckets: readonly (readonly [number, number])[];
}

/** Options of a {@link DecayingHistogram}. */
export interface DecayingHistogramOptions {
  /** Time after which a sample weighs half as much as a new one, in the clock's ms. */
  readonly halfLifeMs: number;
  /** Smallest value told apart; smaller ones count as this. @default 1 */
  readonly minValue?: number;
  /** Width ratio of consecutive buckets: 1.05 keeps every percentile within 2.5% (Kubernetes' VPA uses 5% buckets). @default 1.05 */
  readonly ratio?: number;
}

/** Weights are renormalised before the exponent of a new sample's factor passes this. */
const MAX_EXPONENT = 64;
/** Buckets whose weight falls below this share of the total are dropped when renormalising. */
const NEGLIGIBLE = 1e-12;

/**
 * A histogram of values in exponentially growing buckets whose samples lose half their weight
 * every `halfLifeMs` (the decaying histogram of Kubernetes' Vertical Pod Autoscaler). Percentiles
 * are read as the geometric middle of the bucket they fall in, so within `sqrt(ratio)` of the
 * exact weighted percentile. Two histograms with the same options merge into the histogram of
 * all their samples. Time is whatever clock the caller dates samples with; it never goes back: a
 * sample dated before the newest one counts as taken at the newest one's time.
 *
 * @example
 * const h = new DecayingHistogram({ halfLifeMs: 7 * 86_400_000 });
 * h.add(1200, Date.now());
 * h.percentile(0.9); // ≈ 1200
 */
export class DecayingHistogram {
  readonly halfLifeMs: number;
  readonly minValue: number;
  readonly ratio: number;
  #referenceAt: number;
  #lastAt: number;
  #buckets = new Map<number, number>();
  #total = 0;

  constructor(options: DecayingHistogramOptions) {
    const { halfLifeMs, minValue = 1, ratio = 1.05 } = options;
    if (!(halfLifeMs > 0) || !Number.isFinite(halfLifeMs)) throw new RangeError(`halfLifeMs: expected a finite number > 0, found ${halfLifeMs}`);
    if (!(minValue > 0) || !Number.isFinite(minValue)) throw new RangeError(`minValue: expected a finite number > 0, found ${minValue}`);
    if (!(ratio > 1) || !Number.isFinite(ratio)) throw new RangeError(`ratio: expected a finite number > 1, found ${ratio}`);
    this.halfLifeMs = halfLifeMs;
    this.minValue = minValue;
    this.ratio = ratio;
    this.#referenceAt = Number.NaN;
    this.#lastAt = Number.NaN;
  }

  /** True before the first sample. */
  get isEmpty(): boolean {
    return this.#total <= 0;
  }

  /** The newest sample's time (NaN when empty). */
  get lastAt(): number {
    return this.#lastAt;
  }

  /** The summed weight of every sample as of the newest one (a sample of that time weighs its count). */
  get totalWeight(): number {
    if (this.isEmpty) return 0;
    return this.#total * this.#factor(this.#lastAt) ** -1;
  }

  /** The bucket a value falls in. */
  bucketOf(value: number): number {
    if (!(value > this.minValue)) return 0;
    return Math.max(0, Math.floor(Math.log(value / this.minValue) / Math.log(this.ratio)));
  }

  /** The value a bucket stands for: the geometric middle of its edges. */
  valueOf(bucket: number): number {
    return this.minValue * this.ratio ** (bucket + 0.5);
  }

  /** Adds `count` samples of `value` taken at `at`. Non-finite values and counts ≤ 0 are ignored. */
  add(value: number, at: number, count = 1): void {
    if (!Number.isFinite(value) || !Number.isFinite(at) || !(count > 0)) return;
    const when = this.#advance(at);
    const weight = count * this.#factor(when);
    const bucket = this.bucketOf(value);
    this.#buckets.set(bucket, (this.#buckets.get(bucket) ?? 0) + weight);
    this.#total += weight;
  }

  /**
   * The value below which share `p` (0 to 1) of the weight lies, as the middle of its bucket;
   * undefined when empty.
   */
  percentile(p: number): number | undefined {
    if (this.isEmpty) return undefined;
    const target = Math.min(Math.max(p, 0), 1) * this.#total;
    const indices = [...this.#buckets.keys()].sort((a, b) => a - b);
    let sum = 0;
    for (const index of indices) {
      sum += this.#buckets.get(index) as number;
      if (sum >= target * (1 - 1e-12)) return this.valueOf(index);
    }
    return this.valueOf(indices[indices.length - 1] as number);
  }

  /** Adds every sample of `other` (same options), keeping each one's age. */
  merge(other: DecayingHistogram): void {
    if (other.halfLifeMs !== this.halfLifeMs || other.minValue !== this.minValue || other.ratio !== this.ratio) {
      throw new RangeError(
        `merge: expected a histogram with halfLifeMs ${this.halfLifeMs}, minValue ${this.minValue}, ratio ${this.ratio}; found ${other.halfLifeMs}, ${other.minValue}, ${other.ratio}`,
      );
    }
    if (other.isEmpty) return;
    const newest = Number.isNaN(this.#lastAt) ? other.#lastAt : Math.max(this.#lastAt, other.#lastAt);
    this.#advance(newest);
    // other's weights are relative to its reference; re-express them relative to ours.
    const scale = 2 ** ((other.#referenceAt - this.#referenceAt) / this.halfLifeMs);
    for (const [bucket, weight] of other.#buckets) {
      this.#buckets.set(bucket, (this.#buckets.get(bucket) ?? 0) + weight * scale);
      this.#total += weight * scale;
    }
  }

  /** A plain-JSON copy, for a history file. */
  toJSON(): DecayingHistogramJson {
    return {
      v: 1,
      halfLifeMs: this.halfLifeMs,
      minValue: this.minValue,
      ratio: this.ratio,
      referenceAt: this.#referenceAt,
      lastAt: this.#lastAt,
      buckets: [...this.#buckets].sort((a, b) => a[0] - b[0]),
    };
  }

  /**
   * Rebuilds a histogram from {@link toJSON}'s output.
   * @throws RangeError naming the field when `json` is not one.
   */
  static fromJSON(json: unknown): DecayingHistogram {
    const value = json as Partial<DecayingHistogramJson> | null;
    if (typeof value !== 'object' || value === null || value.v !== 1) throw new RangeError(`histogram: expected { v: 1, … }, found ${JSON.stringify(json)?.slice(0, 80)}`);
    const histogram = new DecayingHistogram({ halfLifeMs: value.halfLifeMs as number, minValue: value.minValue as number, ratio: value.ratio as number });
    if (!Array.isArray(value.buckets)) throw new RangeError('histogram.buckets: expected an array of [index, weight]');
    for (const entry of value.buckets) {
      const [index, weight] = entry as unknown as [unknown, unknown];
      if (!Number.isInteger(index) || (index as number) < 0 || typeof weight !== 'number' || !(weight >= 0) || !Number.isFinite(weight)) {
        throw new RangeError(`histogram.buckets: expected [integer ≥ 0, finite weight ≥ 0], found ${JSON.stringify(entry)}`);
      }
      if (weight === 0) continue;
      histogram.#buckets.set(index as number, (histogram.#buckets.get(index as number) ?? 0) + weight);
      histogram.#total += weight;
    }
    if (histogram.#total > 0) {
      if (!Number.isFinite(value.referenceAt) || !Number.isFinite(value.lastAt)) throw new RangeError('histogram.referenceAt, lastAt: expected finite times');
      histogram.#referenceAt = value.referenceAt as number;
      histogram.#lastAt = value.lastAt as number;
    }
    return histogram;
  }

  /** A copy. */
  clone(): DecayingHistogram {
    return DecayingHistogram.fromJSON(this.toJSON());
  }

  /** The weight factor of a sample at `at`, relative to the reference. */
  #factor(at: number): number {
    return 2 ** ((at - this.#referenceAt) / this.halfLifeMs);
  }

  /**
   * Moves the newest time to `at` unless it is earlier (a clock that went back), renormalising
   * when the factor would grow too large; returns the time the sample counts at.
   */
  #advance(at: number): number {
    if (Number.isNaN(this.#referenceAt)) {
      this.#referenceAt = at;
      this.#lastAt = at;
      return at;
    }
    const when = Math.max(at, this.#lastAt);
    this.#lastAt = when;
    if ((when - this.#referenceAt) / this.halfLifeMs > MAX_EXPONENT) this.#rebase(when);
    return when;
  }

  /** Re-expresses every weight relative to `at`; buckets that decayed to nothing are dropped. */
  #rebase(at: number): void {
    const scale = 2 ** ((this.#referenceAt - at) / this.halfLifeMs);
    let total = 0;
    for (const [bucket, weight] of this.#buckets) {
      const scaled = weight * scale;
      if (scaled < NEGLIGIBLE * this.#total * scale || scaled === 0) this.#buckets.delete(bucket);
      else {
        this.#buckets.set(bucket, scaled);
        total += scaled;
      }
    }
    this.#total = total;
    this.#referenceAt = at;
  }
}
