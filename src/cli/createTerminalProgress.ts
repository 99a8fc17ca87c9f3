import type { TaskStatus } from '../types.js';
import { createPainter, type Painter, type Style } from './createPainter.js';
import { escapeControlCharacters } from './escapeControlCharacters.js';
import { formatChange } from './formatChange.js';
import { estimateEta, formatEta } from './estimateEta.js';
import { formatSeconds } from './formatSeconds.js';
import type { ProgressView } from './ProgressView.js';
import type { TaskRunState, TaskRunTracker } from './trackTaskRuns.js';

/** Options of {@link createTerminalProgress}. */
export interface TerminalProgressOptions {
  /** A terminal. */
  readonly stream: NodeJS.WritableStream & { readonly columns?: number };
  /** When the run started, in ms since the epoch. */
  readonly startedAt: number;
  /**
   * Milliseconds between redraws.
   * @default 100 (at most ten a second)
   */
  readonly intervalMs?: number;
  /** Worker slots, for the ETA (shown when tasks have estimates, learned with `--history` or declared). @default 1 */
  readonly maxWorkers?: number;
}

const BAR_WIDTH = 20;
/** The bar's segments, in the order they fill it (and their counts are listed). */
const SEGMENTS: readonly { status: TaskStatus; style: Style; symbol: string }[] = [
  { status: 'completed', style: 'green', symbol: '✓' },
  { status: 'failed', style: 'red', symbol: '✗' },
  { status: 'cancelled', style: 'yellow', symbol: '⊘' },
  { status: 'running', style: 'cyan', symbol: '▶' },
];

const hideCursor = '\x1b[?25l';
const showCursor = '\x1b[?25h';
const clearBelow = '\x1b[J';

function countByStatus(tasks: readonly TaskRunState[]): Record<TaskStatus, number> {
  const counts: Record<TaskStatus, number> = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const task of tasks) counts[task.status]++;
  return counts;
}

/**
 * `  1.24s ██████░░░░ 5/15  ✓ 4 completed  ▶ 1 running  … 10 pending`: the elapsed time first, so
 * a narrow terminal cuts the counts rather than the time; failed and cancelled only when some are.
 */
function barLine(tasks: readonly TaskRunState[], elapsedMs: number, paint: Painter): string {
  const counts = countByStatus(tasks);
  const total = Math.max(1, tasks.length);
  let used = 0;
  const bar = SEGMENTS.map(({ status, style }) => {
    const width = Math.min(Math.round((counts[status] / total) * BAR_WIDTH), BAR_WIDTH - used);
    used += width;
    return paint(style, '█'.repeat(width));
  }).join('');
  const done = counts.completed + counts.failed + counts.cancelled;
  const tally = SEGMENTS.filter(({ status }) => counts[status] > 0 || status === 'completed' || status === 'running')
    .map(({ status, style, symbol }) => paint(style, `${symbol} ${counts[status]} ${status}`))
    .join('  ');
  const rest = paint('dim', '░'.repeat(BAR_WIDTH - used));
  return `${formatSeconds(elapsedMs).padStart(7)} ${bar}${rest} ${done}/${tasks.length}  ${tally}  ${paint('dim', `… ${counts.pending} pending`)}`;
}

function runningLine(tasks: readonly TaskRunState[], now: number, maxWorkers: number): string {
  const running = tasks.filter((task) => task.runningSince !== undefined);
  const eta = formatEta(estimateEta(tasks, maxWorkers, now), formatSeconds);
  const line = running.length === 0 ? 'running: -' : `running: ${running.map((task) => `${escapeControlCharacters(task.name)} ${formatSeconds(now - (task.runningSince ?? now))}`).join(', ')}`;
  // The ETA first: a narrow terminal cuts the list of running tasks, not how long is left.
  return eta === undefined ? line : `${eta} · ${line}`;
}

/** Cuts a line of plain text to the terminal's width, so it never wraps (wrapping breaks the redraw). */
function fit(line: string, columns: number): string {
  return line.length < columns ? line : `${line.slice(0, Math.max(0, columns - 2))}…`;
}

/**
 * Live progress for a terminal: a bar with counts per state, the running tasks with how long each
 * has run, and the elapsed time, redrawn in place at most every `intervalMs`; tasks that end (or
 * retry) are logged above it as permanent lines.
 *
 * @example
 * const view = createTerminalProgress(tracker, { stream: process.stdout, startedAt: Date.now() });
 * await scheduler.onIdle();
 * view.stop();
 */
export function createTerminalProgress(tracker: TaskRunTracker, options: TerminalProgressOptions): ProgressView {
  const { stream, startedAt, intervalMs = 100 } = options;
  const paint = createPainter(true);
  const log: string[] = [];
  let drawnLines = 0;

  const removeListener = tracker.onChange((change) => {
    if (change.kind !== 'started') log.push(formatChange(change, Date.now() - startedAt, paint));
  });
  /** Redraws the block; the final one leaves out the running line, which is empty by then. */
  const draw = (isFinal = false): void => {
    const now = Date.now();
    const tasks = tracker.tasks();
    const columns = stream.columns || 80;
    const bar = barLine(tasks, now - startedAt, paint);
    const plainBar = barLine(tasks, now - startedAt, createPainter(false));
    const block = [plainBar.length < columns ? bar : fit(plainBar, columns)];
    if (!isFinal) block.push(fit(runningLine(tasks, now, options.maxWorkers ?? 1), columns));
    const up = drawnLines > 1 ? `\x1b[${drawnLines - 1}A` : '';
    const logged = log.splice(0).map((line) => `${line}\n`).join('');
    stream.write(`\r${up}${clearBelow}${logged}${block.join('\n')}`);
    drawnLines = block.length;
  };

  stream.write(hideCursor);
  const restoreCursor = (): void => {
    stream.write(showCursor);
  };
  process.once('exit', restoreCursor);
  const timer = setInterval(draw, intervalMs);
  timer.unref();

  return {
    stop() {
      clearInterval(timer);
      removeListener();
      draw(true);
      stream.write(`\n${showCursor}`);
      process.off('exit', restoreCursor);
    },
  };
}
