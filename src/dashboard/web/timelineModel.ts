// Pure parts of the timeline and the progress panel: lanes for attempts, throughput over time, ETA.
import type { RunView } from '../protocol.js';

/** One row of the timeline: a worker slot, on a node in a distributed run. */
export interface Lane {
  readonly node: string | undefined;
  readonly slot: number;
  readonly label: string;
  /** Indexes into the runs given, sorted by start. */
  readonly runs: number[];
}

const collator = new Intl.Collator('en', { numeric: true });

/** Slot -1 holds the attempts a resumed run found interrupted: they ran before it, on slots it never knew. */
function laneLabel(run: Pick<RunView, 'slot' | 'node'>): string {
  const slot = run.slot < 0 ? 'before resume' : `slot ${run.slot + 1}`;
  return run.node === undefined ? slot : `${run.node} · ${slot}`;
}

/**
 * Puts every attempt on a lane: its worker slot, grouped by the node it ran on when it has one
 * (node lanes first, in name order, then the slots of attempts never placed on a node). A slot is
 * held by one attempt at a time, so attempts of a lane never overlap.
 */
export function assignLanes(runs: readonly Pick<RunView, 'slot' | 'node' | 'start'>[]): Lane[] {
  const lanes = new Map<string, Lane>();
  runs.forEach((run, index) => {
    const id = `${run.node ?? ''}\u0000${run.slot}`;
    let lane = lanes.get(id);
    if (lane === undefined) {
      lane = { node: run.node, slot: run.slot, label: laneLabel(run), runs: [] };
      lanes.set(id, lane);
    }
    lane.runs.push(index);
  });
  const sorted = [...lanes.values()].sort((a, b) => {
    if (a.node !== b.node) return a.node === undefined ? 1 : b.node === undefined ? -1 : collator.compare(a.node, b.node);
    return a.slot - b.slot;
  });
  for (const lane of sorted) lane.runs.sort((a, b) => (runs[a]?.start ?? 0) - (runs[b]?.start ?? 0));
  return sorted;
}

/** The first index of `sorted` (run indexes by start) whose run ends at or after `time`, for drawing and hovering. */
export function firstVisible(sorted: readonly number[], runs: readonly Pick<RunView, 'start' | 'end'>[], time: number, longest: number): number {
  // Runs sorted by start: anything starting before `time - longest` has ended before `time`.
  let low = 0;
  let high = sorted.length;
  const from = time - longest;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((runs[sorted[middle] as number]?.start ?? 0) < from) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Completions per bucket of time, for the throughput chart. */
export interface Throughput {
  readonly start: number;
  readonly bucketMs: number;
  readonly counts: number[];
}

const NICE_BUCKETS = [100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];

/** Attempts that completed in each bucket between the first start and `now`, in at most `maxBuckets` buckets of a round size. */
export function throughputOf(runs: readonly Pick<RunView, 'start' | 'end' | 'outcome'>[], now: number, maxBuckets = 120): Throughput {
  let start = Number.POSITIVE_INFINITY;
  for (const run of runs) start = Math.min(start, run.start);
  if (!Number.isFinite(start)) return { start: now, bucketMs: 1000, counts: [] };
  const span = Math.max(1, now - start);
  const bucketMs = NICE_BUCKETS.find((size) => span / size <= maxBuckets) ?? Math.ceil(span / maxBuckets);
  const counts = new Array<number>(Math.max(1, Math.ceil(span / bucketMs))).fill(0);
  for (const run of runs) {
    if (run.end === null || run.outcome !== 'completed') continue;
    const bucket = Math.min(counts.length - 1, Math.floor((run.end - start) / bucketMs));
    counts[bucket] = (counts[bucket] ?? 0) + 1;
  }
  return { start, bucketMs, counts };
}

/** What the ETA is made of. */
export interface EtaInput {
  /** Duration estimates (ms) of the tasks not finished; undefined for a task without one. */
  readonly remainingEstimates: readonly (number | undefined)[];
  /** Estimates of every task that has one (to stand in for those without). */
  readonly knownEstimates: readonly number[];
  readonly workers: number;
  /** Tasks finished per second lately, or 0. */
  readonly recentRate: number;
}

/** An ETA in ms from now, and what it rests on; undefined when nothing allows a guess or nothing remains. */
export function estimateEta(input: EtaInput): { ms: number; basis: 'estimates' | 'rate' } | undefined {
  const remaining = input.remainingEstimates.length;
  if (remaining === 0) return undefined;
  if (input.knownEstimates.length > 0) {
    const mean = input.knownEstimates.reduce((sum, value) => sum + value, 0) / input.knownEstimates.length;
    const work = input.remainingEstimates.reduce<number>((sum, value) => sum + (value ?? mean), 0);
    return { ms: work / Math.max(1, input.workers), basis: 'estimates' };
  }
  if (input.recentRate > 0) return { ms: (remaining / input.recentRate) * 1000, basis: 'rate' };
  return undefined;
}

/** A duration in words a person reads at a glance: `45 s`, `12 min`, `3 h 05 min`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
