// Progress as people expect it: a bar per group, type, prefix or level (done, failed, running,
// waiting), the whole run's bar and ETA in the header, and throughput over time.
import type { RunView, TaskView } from '../protocol.js';
import { CATEGORIES, categoryOf, computeLevels, emptyCounts, progressRows, type CategoryCounts, type GroupMode } from './aggregate.js';
import { CATEGORY_COLOURS, htmlElement, prepareCanvas } from './dom.js';
import { estimateEta, formatDuration, throughputOf } from './timelineModel.js';

/** How far back "lately" reaches for the rate-based ETA. */
const RECENT_MS = 30_000;

function fillBar(bar: HTMLElement, counts: CategoryCounts, total: number): void {
  const segments = CATEGORIES.map((category) => {
    const segment = document.createElement('span');
    segment.className = `seg c-${category}`;
    segment.style.width = `${total === 0 ? 0 : (100 * counts[category]) / total}%`;
    return segment;
  });
  bar.replaceChildren(...segments);
}

function countsText(counts: CategoryCounts, total: number): string {
  return `${counts.done}/${total} done${counts.failed > 0 ? `, ${counts.failed} failed` : ''}${counts.cancelled > 0 ? `, ${counts.cancelled} cancelled` : ''}${counts.running > 0 ? `, ${counts.running} running` : ''}${counts.ready + counts.waiting > 0 ? `, ${counts.ready + counts.waiting} waiting` : ''}`;
}

export interface ProgressView {
  update(tasks: ReadonlyMap<string, TaskView>, shapeVersion: number, runs: readonly RunView[], now: number, workers: number): void;
  setMode(mode: GroupMode): void;
}

export function createProgressView(elements: { readonly rows: HTMLElement; readonly total: HTMLElement; readonly totalText: HTMLElement; readonly eta: HTMLElement; readonly chart: HTMLCanvasElement; readonly chartNote: HTMLElement }): ProgressView {
  let mode: GroupMode = 'group';
  let levels = new Map<string, number>();
  let levelsVersion = -1;
  let last: Parameters<ProgressView['update']> | undefined;

  const drawThroughput = (runs: readonly RunView[], now: number): number => {
    const throughput = throughputOf(runs, now);
    const { context, width, height } = prepareCanvas(elements.chart);
    const peak = Math.max(1, ...throughput.counts);
    const barWidth = width / Math.max(1, throughput.counts.length);
    context.fillStyle = CATEGORY_COLOURS.done;
    throughput.counts.forEach((count, index) => {
      const barHeight = ((height - 14) * count) / peak;
      context.fillRect(index * barWidth, height - barHeight, Math.max(1, barWidth - 1), barHeight);
    });
    context.fillStyle = '#495057';
    context.font = '11px system-ui, sans-serif';
    context.fillText(`peak ${((peak * 1000) / throughput.bucketMs).toFixed(1)} tasks/s`, 4, 11);
    elements.chartNote.textContent = `completions per ${throughput.bucketMs >= 1000 ? `${throughput.bucketMs / 1000} s` : `${throughput.bucketMs} ms`}`;
    let recent = 0;
    for (const run of runs) if (run.outcome === 'completed' && run.end !== null && run.end >= now - RECENT_MS) recent += 1;
    return recent / (Math.min(RECENT_MS, Math.max(1, now - throughput.start)) / 1000);
  };

  const render = (tasks: ReadonlyMap<string, TaskView>, shapeVersion: number, runs: readonly RunView[], now: number, workers: number): void => {
    if (mode === 'level' && levelsVersion !== shapeVersion) {
      levels = computeLevels(tasks);
      levelsVersion = shapeVersion;
    }
    const rows = progressRows(tasks.values(), levels, mode);
    elements.rows.replaceChildren(
      ...rows.map((row) => {
        const line = htmlElement('div', 'progress-row');
        line.dataset['key'] = row.key;
        line.dataset['done'] = String(row.counts.done);
        line.dataset['total'] = String(row.total);
        htmlElement('span', 'progress-key', row.key, line);
        fillBar(htmlElement('span', 'stacked', undefined, line), row.counts, row.total);
        htmlElement('span', 'progress-numbers', countsText(row.counts, row.total), line);
        return line;
      }),
    );
    const total = emptyCounts();
    const remaining: (number | undefined)[] = [];
    const known: number[] = [];
    for (const task of tasks.values()) {
      const category = categoryOf(task.state);
      total[category] += 1;
      if (task.estimateMs !== undefined) known.push(task.estimateMs);
      if (category !== 'done' && category !== 'failed' && category !== 'cancelled') remaining.push(task.estimateMs);
    }
    fillBar(elements.total, total, tasks.size);
    elements.totalText.textContent = countsText(total, tasks.size);
    const rate = drawThroughput(runs, now);
    const eta = estimateEta({ remainingEstimates: remaining, knownEstimates: known, workers, recentRate: rate });
    elements.eta.textContent = eta === undefined ? (remaining.length === 0 && tasks.size > 0 ? 'finished' : 'ETA: unknown') : `ETA ${formatDuration(eta.ms)} (${eta.basis === 'estimates' ? 'from the tasks\u2019 estimates' : `at ${rate.toFixed(1)} tasks/s`})`;
  };

  return {
    update(...args) {
      last = args;
      render(...args);
    },
    setMode(next) {
      mode = next;
      if (last !== undefined) render(...last);
    },
  };
}
