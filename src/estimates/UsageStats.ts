import { DecayingHistogram } from '../internal/DecayingHistogram.js';
import type { AttemptUsage, ObserveOptions } from '../usageTypes.js';

/** How fast old runs stop counting: a run this old weighs half as much as a new one (7 days). */
export const USAGE_HALF_LIFE_MS = 7 * 24 * 60 * 60 * 1000;

/** The serialised form of {@link UsageStats}, as a history file keeps it. */
export interface UsageStatsJson {
  readonly v: 1;
  readonly runs: number;
  readonly memoryKills: number;
  readonly durationMs: unknown;
  readonly peakRssBytes: unknown;
  readonly cpuMs: unknown;
  readonly cores: unknown;
}

/** A low/high pair of a decaying distribution. */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
}

/**
 * What the history learned of one task (or one type): decaying histograms of its attempts'
 * duration, peak resident memory, CPU time and average cores used, plus plain counts. Every
 * histogram has the same half-life ({@link USAGE_HALF_LIFE_MS} unless given), so a week-old run
 * weighs half as much as today's.
 *
 * @example
 * const stats = new UsageStats();
 * stats.observe({ durationMs: 1200, peakRssBytes: 150 * 2 ** 20, cpuMs: 900, measuredBy: 'proc' }, Date.now());
 * stats.duration(); // { p50: ≈1200, p90: ≈1200 }
 */
export class UsageStats {
  /** Attempts observed (completed ones and ones killed for memory), undecayed. */
  runs = 0;
  /** Attempts killed by `memory_limit: enforce`, undecayed. */
  memoryKills = 0;
  readonly #duration: DecayingHistogram;
  readonly #peakRss: DecayingHistogram;
  readonly #cpuMs: DecayingHistogram;
  readonly #cores: DecayingHistogram;

  constructor(halfLifeMs = USAGE_HALF_LIFE_MS, histograms?: readonly [DecayingHistogram, DecayingHistogram, DecayingHistogram, DecayingHistogram]) {
    this.#duration = histograms?.[0] ?? new DecayingHistogram({ halfLifeMs, minValue: 1 });
    // 1 MiB resolution at the bottom: a process's own footprint is several MiB.
    this.#peakRss = histograms?.[1] ?? new DecayingHistogram({ halfLifeMs, minValue: 2 ** 20 });
    this.#cpuMs = histograms?.[2] ?? new DecayingHistogram({ halfLifeMs, minValue: 1 });
    this.#cores = histograms?.[3] ?? new DecayingHistogram({ halfLifeMs, minValue: 0.001 });
  }

  /**
   * Counts one attempt. A duration counts only for a completed attempt (`completed`): a failed one
   * says little about how long the work takes. Memory counts for every attempt that measured it;
   * `killedAtRequestBytes` (a `memory_limit: enforce` kill) counts the peak as at least 1.2 times
   * the request it broke, so the next recommendation asks for more (as VPA does after an OOM kill).
   */
  observe(usage: AttemptUsage, at: number, options: ObserveOptions = {}): void {
    const { completed = true, killedAtRequestBytes } = options;
    if (completed) {
      this.runs++;
      this.#duration.add(Math.max(usage.durationMs, 0), at);
      if (usage.cpuMs !== undefined) {
        this.#cpuMs.add(usage.cpuMs, at);
        if (usage.durationMs > 0) this.#cores.add(usage.cpuMs / usage.durationMs, at);
      }
    }
    if (killedAtRequestBytes !== undefined) {
      this.runs += completed ? 0 : 1;
      this.memoryKills++;
      this.#peakRss.add(Math.max(usage.peakRssBytes ?? 0, killedAtRequestBytes * 1.2), at);
    } else if (usage.peakRssBytes !== undefined && (completed || usage.peakRssBytes > 0)) {
      this.#peakRss.add(usage.peakRssBytes, at);
    }
  }

  /** Adds everything `other` learned (a type's statistics are the merge of its tasks'). */
  merge(other: UsageStats): void {
    this.runs += other.runs;
    this.memoryKills += other.memoryKills;
    this.#duration.merge(other.#duration);
    this.#peakRss.merge(other.#peakRss);
    this.#cpuMs.merge(other.#cpuMs);
    this.#cores.merge(other.#cores);
  }

  /** Duration p50/p90 in ms; undefined before a completed attempt. */
  duration(): Percentiles | undefined {
    return percentiles(this.#duration);
  }

  /** Peak resident memory p50/p90 in bytes; undefined when nothing measured it. */
  peakRss(): Percentiles | undefined {
    return percentiles(this.#peakRss);
  }

  /** CPU time p50/p90 in ms; undefined when nothing measured it. */
  cpuMs(): Percentiles | undefined {
    return percentiles(this.#cpuMs);
  }

  /** Average cores busy over an attempt (CPU time / duration), p50/p90. */
  cores(): Percentiles | undefined {
    return percentiles(this.#cores);
  }

  /** When the newest observation was made (NaN before any). */
  get lastAt(): number {
    const times = [this.#duration.lastAt, this.#peakRss.lastAt].filter((t) => !Number.isNaN(t));
    return times.length === 0 ? Number.NaN : Math.max(...times);
  }

  /** A copy that learns on its own. */
  clone(): UsageStats {
    return UsageStats.fromJSON(this.toJSON());
  }

  toJSON(): UsageStatsJson {
    return {
      v: 1,
      runs: this.runs,
      memoryKills: this.memoryKills,
      durationMs: this.#duration.toJSON(),
      peakRssBytes: this.#peakRss.toJSON(),
      cpuMs: this.#cpuMs.toJSON(),
      cores: this.#cores.toJSON(),
    };
  }

  /**
   * Rebuilds statistics saved with {@link toJSON}.
   * @throws RangeError naming the field that is not what it should be.
   */
  static fromJSON(json: unknown): UsageStats {
    const value = json as Partial<UsageStatsJson> | null;
    if (typeof value !== 'object' || value === null || value.v !== 1) throw new RangeError(`usage: expected { v: 1, … }, found ${JSON.stringify(json)?.slice(0, 80)}`);
    const histogram = (field: keyof UsageStatsJson): DecayingHistogram => {
      try {
        return DecayingHistogram.fromJSON(value[field]);
      } catch (error) {
        throw new RangeError(`usage.${field}: ${(error as Error).message}`);
      }
    };
    const histograms = [histogram('durationMs'), histogram('peakRssBytes'), histogram('cpuMs'), histogram('cores')] as const;
    const halfLifeMs = histograms[0].halfLifeMs;
    if (histograms.some((h) => h.halfLifeMs !== halfLifeMs)) throw new RangeError(`usage: expected one half-life for every histogram, found ${histograms.map((h) => h.halfLifeMs).join(', ')}`);
    const stats = new UsageStats(halfLifeMs, histograms);
    stats.runs = count(value.runs, 'runs');
    stats.memoryKills = count(value.memoryKills, 'memoryKills');
    return stats;
  }
}

function count(value: unknown, field: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new RangeError(`usage.${field}: expected an integer ≥ 0, found ${JSON.stringify(value)}`);
  return value as number;
}

function percentiles(histogram: DecayingHistogram): Percentiles | undefined {
  if (histogram.isEmpty) return undefined;
  return { p50: histogram.percentile(0.5) as number, p90: histogram.percentile(0.9) as number };
}
