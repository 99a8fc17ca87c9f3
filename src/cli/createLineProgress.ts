import { createPainter } from './createPainter.js';
import { estimateEta, formatEta } from './estimateEta.js';
import { formatChange } from './formatChange.js';
import { formatSeconds } from './formatSeconds.js';
import type { ProgressView } from './ProgressView.js';
import type { TaskRunTracker } from './trackTaskRuns.js';

/** Options of {@link createLineProgress}. */
export interface LineProgressOptions {
  /** Where the lines go: stdout when it is not a terminal, stderr under `--json`. */
  readonly stream: NodeJS.WritableStream;
  /** When the run started, in ms since the epoch; lines show the time since. */
  readonly startedAt: number;
  /** Worker slots, for the ETA a task's end prints when tasks have learned estimates (`--history`). @default 1 */
  readonly maxWorkers?: number;
}

/**
 * Progress as plain lines, one per state change (started, retrying, completed, failed,
 * cancelled), for logs and pipes: nothing is redrawn and no escape codes are written. With
 * learned estimates (`--history`), each line but a start ends with the ETA (see `estimateEta`).
 *
 * @example
 * const view = createLineProgress(tracker, { stream: process.stdout, startedAt: Date.now() });
 * await scheduler.onIdle();
 * view.stop();
 */
export function createLineProgress(tracker: TaskRunTracker, options: LineProgressOptions): ProgressView {
  const paint = createPainter(false);
  const remove = tracker.onChange((change) => {
    const line = formatChange(change, Date.now() - options.startedAt, paint);
    // With a history, each end says how long is left; a run with declared estimates only keeps its lines as they were.
    const tasks = tracker.tasks();
    const isLearning = tasks.some((task) => task.estimateSource !== undefined && task.estimateSource !== 'declared');
    const eta = change.kind === 'started' || !isLearning ? undefined : formatEta(estimateEta(tasks, options.maxWorkers ?? 1, Date.now()), formatSeconds);
    options.stream.write(`${line}${eta === undefined ? '' : `  · ${eta}`}\n`);
  });
  return { stop: remove };
}
