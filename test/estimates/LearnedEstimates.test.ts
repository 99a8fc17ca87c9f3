import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryError } from '../../src/errors.js';
import { learnedFromHistory } from '../../src/estimates/learnedFromHistory.js';
import { LearnedEstimates } from '../../src/estimates/LearnedEstimates.js';
import { UsageStats } from '../../src/estimates/UsageStats.js';
import { sqliteHistory } from '../../src/stores/sqlite/sqliteHistory.js';
import type { AttemptUsage, TaskIdentity } from '../../src/usageTypes.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();
const GiB = 2 ** 30;
const usage = (durationMs: number, peakRssBytes?: number, cpuMs?: number): AttemptUsage => ({ durationMs, peakRssBytes, cpuMs, measuredBy: peakRssBytes === undefined ? 'none' : 'proc' });
const prove = (name: string, runs = 'z3 lemma.smt'): TaskIdentity => ({ name, runs, type: 'proof' });
const near = (value: number, expected: number): boolean => Math.abs(value / expected - 1) < 0.025;

describe('LearnedEstimates', () => {
  it('recommends p90 of peak memory plus 15% in GiB and p90 of cores busy plus 15%, bounded by the pool', () => {
    const learned = new LearnedEstimates();
    for (let i = 1; i <= 10; i++) learned.observe(prove('a'), usage(1000, i * 0.1 * GiB, 1500), 0);
    const recommended = learned.recommend(prove('a'));
    // p90 of 0.1..1.0 GiB is 0.9 GiB (within a 5% bucket), plus 15%: about 1.035 GiB.
    expect(recommended.memory).toBeGreaterThan(0.9 * 1.15 * 0.97);
    expect(recommended.memory).toBeLessThan(0.9 * 1.15 * 1.03 + 0.01);
    expect(recommended.cpu).toBeCloseTo(1.8, 0); // 1.5 cores busy, plus 15%, rounded up to 0.1
    expect(learned.recommend(prove('a'), { memory: 0.5, cpu: 1 })).toMatchObject({ memory: 0.5, cpu: 1 });
  });

  it('plans a renamed task (same command, new name) with its old runs, and says so', () => {
    const learned = new LearnedEstimates();
    learned.observe(prove('lemma_a'), usage(3000), 0);
    expect(learned.estimate(prove('lemma_alpha'))).toMatchObject({ source: 'command', runs: 1 });
    // Two tasks that share a command are not one task renamed: the type speaks instead.
    learned.observe(prove('lemma_b'), usage(9000), 0);
    expect(learned.estimate(prove('lemma_alpha')).source).toBe('type');
  });

  it('keeps tasks of another workload apart when what they run differs, sharing only their type', () => {
    const learned = new LearnedEstimates();
    learned.observe(prove('build', 'make all'), usage(60_000), 0);
    const other = learned.estimate(prove('build', 'cargo build'));
    expect(other.source).toBe('type');
    expect(learned.estimate({ name: 'build', runs: 'cargo build', type: 'rust' })).toEqual({ ms: 10_000, source: 'default', runs: 0 });
  });

  it('learns durations from completed attempts only; a failed one still counts its memory', () => {
    const learned = new LearnedEstimates();
    learned.observe(prove('a'), usage(50, 2 * GiB), 0, { completed: false });
    expect(learned.estimate(prove('a')).source).toBe('default');
    learned.observe(prove('a'), usage(4000, 0.5 * GiB), 1);
    expect(near(learned.estimate(prove('a')).ms, 4000)).toBe(true);
    expect(learned.summary()[0]?.peakRssBytes?.p90).toBeGreaterThan(1.9 * GiB);
  });

  it('survives the history file: what one run learned, the next run reads, through sqliteHistory', () => {
    const file = temp.path('h.db');
    const first = sqliteHistory(file);
    const learned = learnedFromHistory(first);
    learned.observe(prove('a'), usage(4000, 0.25 * GiB, 1000), Date.now());
    first.close();
    const second = sqliteHistory(file);
    const again = learnedFromHistory(second);
    expect(again.estimate(prove('a'))).toMatchObject({ source: 'task', runs: 1 });
    expect(again.summary()).toEqual(learned.summary());
    second.close();
  });

  it('refuses a history whose learned usage cannot be read, naming the file and the task, and writes nothing', () => {
    const file = temp.path('bad.db');
    const history = sqliteHistory(file);
    history.usage.put({ kind: 'task', key: 'a\u0000x', name: 'a', type: 'proof', runs: 'x', stats: { v: 9 }, updatedAt: 0 });
    expect(() => learnedFromHistory(history)).toThrow(HistoryError);
    expect(() => learnedFromHistory(history)).toThrow(/history ".*bad\.db": its learned usage of task "a" cannot be read \(usage: expected \{ v: 1/);
    expect(history.usage.list()).toHaveLength(1);
    history.close();
  });
});

describe('UsageStats', () => {
  const attempt = fc.record({
    durationMs: fc.integer({ min: 1, max: 1e7 }),
    peak: fc.option(fc.integer({ min: 2 ** 20, max: 2 ** 36 }), { nil: undefined }),
    cpuMs: fc.option(fc.integer({ min: 0, max: 1e7 }), { nil: undefined }),
    at: fc.integer({ min: 0, max: 1e10 }),
  });

  it('merges into the statistics of all the attempts of both, and survives JSON', () => {
    fc.assert(
      fc.property(fc.array(attempt, { maxLength: 20 }), fc.array(attempt, { maxLength: 20 }), (left, right) => {
        const build = (attempts: typeof left): UsageStats => {
          const stats = new UsageStats();
          for (const a of [...attempts].sort((x, y) => x.at - y.at)) stats.observe(usage(a.durationMs, a.peak, a.cpuMs), a.at);
          return stats;
        };
        const merged = build(left);
        merged.merge(build(right));
        const whole = build([...left, ...right]);
        expect(merged.runs).toBe(whole.runs);
        expect(merged.duration()).toEqual(whole.duration());
        expect(merged.peakRss()).toEqual(whole.peakRss());
        expect(merged.cores()).toEqual(whole.cores());
        expect(UsageStats.fromJSON(JSON.parse(JSON.stringify(whole))).toJSON()).toEqual(whole.toJSON());
      }),
    );
  });

  it('lets a week-old run weigh half as much as today\'s (the half-life is 7 days)', () => {
    const stats = new UsageStats();
    const day = 86_400_000;
    stats.observe(usage(1000), 0);
    stats.observe(usage(1000), 0);
    stats.observe(usage(8000), 7 * day);
    // Two old runs weigh 0.5 each: as much as the one new run, so p50 falls on the old value, p90 on the new.
    expect(near(stats.duration()!.p50, 1000)).toBe(true);
    expect(near(stats.duration()!.p90, 8000)).toBe(true);
    stats.observe(usage(8000), 7 * day);
    expect(near(stats.duration()!.p50, 8000)).toBe(true);
  });
});
