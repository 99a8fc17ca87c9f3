import type { Trace } from './types.js';

/** Options of {@link traceToSvg}. */
export interface TraceToSvgOptions {
  /** Width of the time axis in px. @default 960 */
  readonly widthPx?: number;
  /** Height of one worker row in px. @default 22 */
  readonly rowHeightPx?: number;
}

/** Fill colour by priority level, 1 (lowest) to 5 (highest). */
const PRIORITY_COLOURS = ['#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c'];
const LABEL_WIDTH = 70;
const AXIS_HEIGHT = 24;

const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
const fixed = (n: number): string => (Math.round(n * 100) / 100).toString();

/**
 * A Gantt chart of a trace as an SVG document: one row per worker slot, one bar per attempt,
 * coloured by priority (darker is higher), with the task id inside when it fits and a tooltip
 * (`<title>`) giving id, attempt, start, end and outcome. The output depends only on the trace.
 *
 * @example
 * await writeFile('timeline.svg', traceToSvg(trace));
 */
export function traceToSvg(trace: Trace, options: TraceToSvgOptions = {}): string {
  const width = options.widthPx ?? 960;
  const rowHeight = options.rowHeightPx ?? 22;
  const priorityOf = new Map(trace.tasks.map((task) => [task.id, task.priority]));
  const open = new Map<string, { start: number; worker: number; attempt: number }>();
  const bars: { id: string; start: number; end: number; worker: number; attempt: number; outcome: string }[] = [];
  for (const event of trace.events) {
    if (event.to === 'running') open.set(event.task, { start: event.time, worker: event.worker ?? 0, attempt: event.attempt ?? 1 });
    const run = open.get(event.task);
    if (event.from === 'running' && run) {
      bars.push({ id: event.task, ...run, end: event.time, outcome: event.to });
      open.delete(event.task);
    }
  }
  const start = trace.events[0]?.time ?? 0;
  const end = Math.max(start + 1, ...trace.events.map((e) => e.time));
  const scale = (width - LABEL_WIDTH - 10) / (end - start);
  const x = (time: number): number => LABEL_WIDTH + (time - start) * scale;
  const rows = Math.max(trace.maxWorkers, ...bars.map((b) => b.worker + 1));
  const height = AXIS_HEIGHT + rows * rowHeight + 4;

  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(`${trace.policy}: ${trace.tasks.length} tasks on ${trace.maxWorkers} workers, ${end - start} ms`)}</title>`,
    ...Array.from({ length: 11 }, (_, i) => {
      const time = start + ((end - start) * i) / 10;
      return `<text x="${fixed(x(time))}" y="14" text-anchor="middle" fill="#555">${fixed(time / 1000)}s</text>`;
    }),
    ...Array.from({ length: rows }, (_, row) => {
      const y = AXIS_HEIGHT + row * rowHeight;
      return `<text x="4" y="${y + rowHeight * 0.7}" fill="#333">worker ${row}</text><line x1="${LABEL_WIDTH}" x2="${width - 10}" y1="${y + rowHeight}" y2="${y + rowHeight}" stroke="#eee"/>`;
    }),
    ...bars.map((bar) => {
      const y = AXIS_HEIGHT + bar.worker * rowHeight + 2;
      const barWidth = Math.max(0.5, (bar.end - bar.start) * scale);
      const colour = bar.outcome === 'completed' ? (PRIORITY_COLOURS[(priorityOf.get(bar.id) ?? 3) - 1] ?? '#4292c6') : '#d62728';
      const label = barWidth > bar.id.length * 6.5 ? `<text x="${fixed(x(bar.start) + 2)}" y="${y + rowHeight * 0.6}" fill="#fff">${escapeXml(bar.id)}</text>` : '';
      const tooltip = `${bar.id} (attempt ${bar.attempt}): ${bar.start}–${bar.end} ms, ${bar.outcome}`;
      return `<g><title>${escapeXml(tooltip)}</title><rect x="${fixed(x(bar.start))}" y="${y}" width="${fixed(barWidth)}" height="${rowHeight - 4}" fill="${colour}" stroke="#fff" stroke-width="0.5"/>${label}</g>`;
    }),
    '</svg>',
  ];
  return `${lines.join('\n')}\n`;
}
