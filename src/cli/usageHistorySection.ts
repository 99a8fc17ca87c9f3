import { learnedFromHistory } from '../estimates/learnedFromHistory.js';
import { RECOMMENDATION_MARGIN, type TaskUsageSummary } from '../estimates/LearnedEstimates.js';
import { USAGE_HALF_LIFE_MS } from '../estimates/UsageStats.js';
import type { SqliteRunHistory } from '../stores/sqlite/sqliteHistory.js';
import { formatTable } from '../simulate/formatTable.js';
import { stringify } from 'yaml';
import { counted } from './counted.js';
import { escapeControlCharacters } from './escapeControlCharacters.js';
import { formatSeconds } from './formatSeconds.js';
import type { HistorySection } from './HistorySection.js';

const MiB = 2 ** 20;
const mib = (bytes: number): string => `${Math.round(bytes / MiB)} MiB`;
const pair = <T>(value: { p50: number; p90: number } | null, format: (n: number) => T): string => (value === null ? '-' : `${format(value.p50)} / ${format(value.p90)}`);

/** Every task's summary in a history file (read-only: nothing is written). */
function summariesOf(history: SqliteRunHistory): TaskUsageSummary[] {
  return learnedFromHistory(history).summary();
}

/** The JSON of one task's summary, in the shape issue 22 gives (`runs` a count, times in ms, memory in bytes). */
function toJson(summary: TaskUsageSummary): Record<string, unknown> {
  return {
    name: summary.name,
    type: summary.type,
    command: summary.command,
    runs: summary.runs,
    durationMs: summary.durationMs,
    peakRssBytes: summary.peakRssBytes,
    cpuMs: summary.cpuMs,
    memoryKills: summary.memoryKills,
    recommended: summary.recommended,
    lastAt: Number.isNaN(summary.lastAt) ? null : new Date(summary.lastAt).toISOString(),
  };
}

/** The learned estimates (issue 22): per task, runs, duration, peak memory and CPU p50/p90, and the recommendation. */
export const usageHistorySection: HistorySection = {
  title: 'Learned estimates',
  json(history) {
    return { tasks: summariesOf(history).map(toJson) };
  },
  text(history) {
    const summaries = summariesOf(history);
    const table = formatTable(
      summaries.map((s) => ({
        task: escapeControlCharacters(s.name),
        type: escapeControlCharacters(s.type),
        runs: s.runs,
        'duration p50 / p90': pair(s.durationMs, formatSeconds),
        'peak memory p50 / p90': pair(s.peakRssBytes, mib),
        'cpu p50 / p90': pair(s.cpuMs, formatSeconds),
        recommended: describeRecommendation(s),
      })),
    );
    const kills = summaries.reduce((sum, s) => sum + s.memoryKills, 0);
    const line = `${counted(summaries.length, 'task')} learned (half-life ${USAGE_HALF_LIFE_MS / 86_400_000} days)${kills > 0 ? `, ${counted(kills, 'attempt')} killed for memory` : ''}`;
    return summaries.length === 0 ? line : `${table}\n${line}`;
  },
  // By age only: a task's statistics are a few kB whatever its history, and decay on their own.
  prune(history, options) {
    const rows = options.usedBefore === undefined ? 0 : history.usage.prune(options.usedBefore);
    return { line: `pruned ${counted(rows, 'learned usage row')} (tasks and types not run within --older-than)`, json: { usage: { rows } } };
  },
};

function describeRecommendation(s: TaskUsageSummary): string {
  const parts: string[] = [];
  if (s.recommended.estimateMs !== undefined) parts.push(`estimate ${formatSeconds(s.recommended.estimateMs)}`);
  if (s.recommended.memory !== undefined) parts.push(`memory ${s.recommended.memory}`);
  if (s.recommended.cpu !== undefined) parts.push(`cpu ${s.recommended.cpu}`);
  return parts.join(', ') || '-';
}

/**
 * `history --recommend`: the requests a workload should declare, as a YAML fragment of its
 * `tasks` (estimate in seconds, memory in GiB, cpu in cores: p90 plus the margin). A name learned
 * with several commands gives the most recently run one's.
 *
 * @example
 * recommendationYaml(history); // '# …\ntasks:\n  prove_a:\n    estimate: 12.3\n    resources:\n      memory: 0.2\n'
 */
export function recommendationYaml(history: SqliteRunHistory): string {
  const newest = new Map<string, TaskUsageSummary>();
  for (const s of summariesOf(history)) {
    const seen = newest.get(s.name);
    if (seen === undefined || !(seen.lastAt >= s.lastAt)) newest.set(s.name, s);
  }
  const tasks: Record<string, unknown> = {};
  for (const [name, s] of newest) {
    const { estimateMs, memory, cpu } = s.recommended;
    const resources = { ...(memory === undefined ? {} : { memory }), ...(cpu === undefined ? {} : { cpu }) };
    tasks[name] = {
      ...(estimateMs === undefined ? {} : { estimate: Math.round(estimateMs / 100) / 10 }),
      ...(Object.keys(resources).length === 0 ? {} : { resources }),
    };
  }
  const header =
    `# Requests learned in ${history.file}: estimate = p50 of duration (seconds), memory = p90 of peak + ${RECOMMENDATION_MARGIN * 100}% (GiB),\n` +
    `# cpu = p90 of cores busy + ${RECOMMENDATION_MARGIN * 100}%. Merge into your workload's tasks, or write memory: auto / cpu: auto.\n`;
  return header + stringify({ tasks });
}
