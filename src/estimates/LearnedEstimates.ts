import type { AttemptUsage, LearnedEstimate, ObserveOptions, Recommendation, TaskIdentity, UsageLearner } from '../usageTypes.js';
import { UsageStats, USAGE_HALF_LIFE_MS, type Percentiles } from './UsageStats.js';

/** One task's line of `xeno-scheduler history` (the JSON shape of issue 22). */
export interface TaskUsageSummary {
  readonly name: string;
  readonly type: string;
  /** What it runs (the second half of its identity). */
  readonly command: string;
  /** Attempts learned from (completed, or killed for memory), undecayed. */
  readonly runs: number;
  readonly memoryKills: number;
  readonly durationMs: Percentiles | null;
  readonly peakRssBytes: Percentiles | null;
  readonly cpuMs: Percentiles | null;
  readonly recommended: Recommendation;
  /** When the newest run was recorded (clock ms). */
  readonly lastAt: number;
}

/** One row of the history file's usage table. */
export interface UsageRow {
  /** 'task' rows are keyed by name + command; 'type' rows by type. */
  readonly kind: 'task' | 'type';
  readonly key: string;
  readonly name: string;
  readonly type: string;
  readonly runs: string;
  readonly stats: UsageStats;
}

/** Options of {@link LearnedEstimates}. */
export interface LearnedEstimatesOptions {
  /** The planning estimate of a task nothing is known of (ms). @default 10000 */
  defaultEstimateMs?: number;
  /** Headroom added to p90 in a recommendation (0.15: 15%, as VPA). @default 0.15 */
  margin?: number;
  /** Half-life of every statistic, ms. @default 7 days */
  halfLifeMs?: number;
  /** Told of every row that changed (the history file writes it). */
  onChange?: (row: UsageRow) => void;
  /**
   * Plans without learning: `observe` changes nothing (a simulation plans with a history and must
   * not teach it virtual durations). @default false
   */
  frozen?: boolean;
}

/** The documented fallback estimate for a task of which nothing is known. */
export const DEFAULT_ESTIMATE_MS = 10_000;

/** Bytes in one unit of the memory pool: GiB (the configuration's pool is `memory_gb`). */
export const MEMORY_UNIT_BYTES = 2 ** 30;

/** Headroom over p90 in a recommendation, and over a request before `memoryLimit: 'enforce'` kills: 15%, as VPA. */
export const RECOMMENDATION_MARGIN = 0.15;

/** What `memory: auto` and `cpu: auto` ask for when nothing is known of the task or its type. */
export const DEFAULT_AUTO_REQUESTS: Readonly<Record<'memory' | 'cpu', number>> = Object.freeze({ memory: 1, cpu: 1 });

/** The key of a task's own statistics: name and what it runs. */
export const taskKey = (task: Pick<TaskIdentity, 'name' | 'runs'>): string => `${task.name}\u0000${task.runs}`;

/**
 * What past runs taught about tasks: per task (name + what it runs) and per type, decaying
 * statistics of duration, memory and CPU, from which it answers estimates and recommendations.
 * It holds everything in memory; a history file loads it with {@link load} and keeps it with
 * `onChange`.
 *
 * @example
 * const learned = new LearnedEstimates();
 * learned.observe({ name: 'prove', runs: 'z3 a.smt', type: 'proof' }, usage, Date.now());
 * learned.estimate({ name: 'prove', runs: 'z3 a.smt', type: 'proof' }); // { ms: …, source: 'task', runs: 1 }
 */
export class LearnedEstimates implements UsageLearner {
  readonly defaultEstimateMs: number;
  readonly margin: number;
  readonly halfLifeMs: number;
  readonly #tasks = new Map<string, UsageRow>();
  readonly #types = new Map<string, UsageRow>();
  /** Task rows by what they run, for a task renamed since. */
  readonly #byRuns = new Map<string, UsageRow[]>();
  readonly #onChange: ((row: UsageRow) => void) | undefined;
  readonly #isFrozen: boolean;

  constructor(options: LearnedEstimatesOptions = {}) {
    this.defaultEstimateMs = options.defaultEstimateMs ?? DEFAULT_ESTIMATE_MS;
    this.margin = options.margin ?? RECOMMENDATION_MARGIN;
    this.halfLifeMs = options.halfLifeMs ?? USAGE_HALF_LIFE_MS;
    this.#onChange = options.onChange;
    this.#isFrozen = options.frozen === true;
  }

  /** Adds rows read from a history file (a row already held is replaced). */
  load(rows: Iterable<UsageRow>): void {
    for (const row of rows) this.#put(row);
  }

  /** Every row held. */
  rows(): UsageRow[] {
    return [...this.#tasks.values(), ...this.#types.values()];
  }

  /**
   * Counts one attempt of `task` in its own statistics and its type's (see
   * {@link UsageStats.observe} for what counts).
   */
  observe(task: TaskIdentity, usage: AttemptUsage, at: number, options: ObserveOptions = {}): void {
    if (this.#isFrozen) return;
    const own = this.#tasks.get(taskKey(task)) ?? this.#put({ kind: 'task', key: taskKey(task), name: task.name, type: task.type, runs: task.runs, stats: new UsageStats(this.halfLifeMs) });
    const type = this.#types.get(task.type) ?? this.#put({ kind: 'type', key: task.type, name: '', type: task.type, runs: '', stats: new UsageStats(this.halfLifeMs) });
    own.stats.observe(usage, at, options);
    type.stats.observe(usage, at, options);
    this.#onChange?.(own);
    this.#onChange?.(type);
  }

  /** The statistics that speak for `task`: its own, a renamed one's, its type's, or none. */
  statsOf(task: TaskIdentity): { stats: UsageStats; source: LearnedEstimate['source'] } | undefined {
    const own = this.#tasks.get(taskKey(task));
    if (own !== undefined && own.stats.duration() !== undefined) return { stats: own.stats, source: 'task' };
    // Same command under one other name only: two tasks that share a command line are not one task renamed.
    const sameRuns = task.runs === '' ? undefined : this.#byRuns.get(task.runs);
    const renamed = sameRuns?.length === 1 ? sameRuns[0] : undefined;
    if (renamed !== undefined && renamed.stats.duration() !== undefined) return { stats: renamed.stats, source: 'command' };
    const type = this.#types.get(task.type);
    if (type !== undefined && type.stats.duration() !== undefined) return { stats: type.stats, source: 'type' };
    return undefined;
  }

  /** The planning estimate of a task that declared none: p50 of the statistics that speak for it, else the default. */
  estimate(task: TaskIdentity): LearnedEstimate {
    const found = this.statsOf(task);
    const duration = found?.stats.duration();
    if (found === undefined || duration === undefined) return { ms: this.defaultEstimateMs, source: 'default', runs: 0 };
    return { ms: Math.round(duration.p50), source: found.source, runs: found.stats.runs, p90Ms: Math.round(duration.p90) };
  }

  /**
   * The requests the history recommends: memory p90 of peak plus the margin, cpu p90 of cores
   * plus the margin, each rounded up (memory to 1/100 of a unit, cpu to 1/10 of a core) and
   * bounded by `pool` (a pool's capacity, when given).
   */
  recommend(task: TaskIdentity, pool: Readonly<Record<string, number>> = {}): Recommendation {
    const found = this.statsOf(task);
    if (found === undefined) return {};
    return this.recommendFrom(found.stats, pool);
  }

  /** {@link recommend} for given statistics. */
  recommendFrom(stats: UsageStats, pool: Readonly<Record<string, number>> = {}): Recommendation {
    const bound = (name: string, value: number): number => Math.min(value, pool[name] ?? Number.POSITIVE_INFINITY);
    const duration = stats.duration();
    const peak = stats.peakRss();
    const cores = stats.cores();
    return {
      ...(duration === undefined ? {} : { estimateMs: Math.round(duration.p50) }),
      ...(peak === undefined ? {} : { memory: bound('memory', roundUp((peak.p90 * (1 + this.margin)) / MEMORY_UNIT_BYTES, 100)) }),
      ...(cores === undefined ? {} : { cpu: bound('cpu', Math.max(0.1, roundUp(cores.p90 * (1 + this.margin), 10))) }),
    };
  }

  /** Per task, what `xeno-scheduler history` shows, by name. */
  summary(pool: Readonly<Record<string, number>> = {}): TaskUsageSummary[] {
    return [...this.#tasks.values()]
      .map((row) => ({
        name: row.name,
        type: row.type,
        command: row.runs,
        runs: row.stats.runs,
        memoryKills: row.stats.memoryKills,
        durationMs: row.stats.duration() ?? null,
        peakRssBytes: row.stats.peakRss() ?? null,
        cpuMs: row.stats.cpuMs() ?? null,
        recommended: this.recommendFrom(row.stats, pool),
        lastAt: row.stats.lastAt,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.command < b.command ? -1 : 1));
  }

  #put(row: UsageRow): UsageRow {
    if (row.kind === 'type') {
      this.#types.set(row.key, row);
      return row;
    }
    const old = this.#tasks.get(row.key);
    if (old !== undefined) {
      const list = this.#byRuns.get(old.runs) ?? [];
      this.#byRuns.set(old.runs, list.filter((r) => r !== old));
    }
    this.#tasks.set(row.key, row);
    if (row.runs === '') return row;
    // Added in place: a copy per row made learning quadratic in the tasks that share a command.
    const sameRuns = this.#byRuns.get(row.runs);
    if (sameRuns === undefined) this.#byRuns.set(row.runs, [row]);
    else sameRuns.push(row);
    return row;
  }
}

function roundUp(value: number, steps: number): number {
  return Math.ceil(value * steps - 1e-9) / steps;
}
