import type { HistorySection } from './HistorySection.js';
import { formatTable } from '../simulate/formatTable.js';
import { counted } from './counted.js';
import { escapeControlCharacters } from './escapeControlCharacters.js';
import { formatBytes } from './parseHistoryLimits.js';
import { usageHistorySection } from './usageHistorySection.js';

function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86_400)}d ago`;
}

/** The result cache of incremental runs: one row per cache entry. */
const cacheSection: HistorySection = {
  title: 'Cached results',
  json(history) {
    const totals = history.cache.totals();
    const entries = history.cache.list().map((entry) => ({
      ...entry,
      createdAt: new Date(entry.createdAt).toISOString(),
      usedAt: new Date(entry.usedAt).toISOString(),
    }));
    return { cache: { ...totals, list: entries } };
  },
  text(history, now) {
    const entries = history.cache.list();
    const totals = history.cache.totals();
    const table = formatTable(
      entries.map((entry) => ({
        task: escapeControlCharacters(entry.task),
        type: escapeControlCharacters(entry.type),
        key: entry.key.slice(0, 12),
        outputs: entry.outputs,
        size: formatBytes(entry.bytes),
        'last used': ago(now - entry.usedAt),
      })),
    );
    const line = `${counted(totals.entries, 'cached result')}, ${counted(totals.contents, 'distinct output content')}, ${formatBytes(totals.bytes)}`;
    return entries.length === 0 ? line : `${table}\n${line}`;
  },
  prune(history, options) {
    const removed = history.cache.prune(options);
    return {
      line: `pruned ${counted(removed.entries, 'cached result')} and ${counted(removed.contents, 'output content')} (${formatBytes(removed.bytes)})`,
      json: { cache: removed },
    };
  },
};

/** Every section of `xeno-scheduler history`, in the order they are printed. */
export const HISTORY_SECTIONS: readonly HistorySection[] = [cacheSection, usageHistorySection];
