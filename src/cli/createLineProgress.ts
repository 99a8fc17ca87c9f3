import { createPainter } from './createPainter.js';
import { formatChange } from './formatChange.js';
import type { ProgressView } from './ProgressView.js';
import type { TaskRunTracker } from './trackTaskRuns.js';

/** Options of {@link createLineProgress}. */
export interface LineProgressOptions {
  /** Where the lines go: stdout when it is not a terminal, stderr under `--json`. */
  readonly stream: NodeJS.WritableStream;
  /** When the run started, in ms since the epoch; lines show the time since. */
  readonly startedAt: number;
}

/**
 * Progress as plain lines, one per state change (started, retrying, completed, failed,
 * cancelled), for logs and pipes: nothing is redrawn and no escape codes are written.
 *
 * @example
 * const view = createLineProgress(tracker, { stream: process.stdout, startedAt: Date.now() });
 * await scheduler.onIdle();
 * view.stop();
 */
export function createLineProgress(tracker: TaskRunTracker, options: LineProgressOptions): ProgressView {
  const paint = createPainter(false);
  const remove = tracker.onChange((change) => {
    options.stream.write(`${formatChange(change, Date.now() - options.startedAt, paint)}\n`);
  });
  return { stop: remove };
}
