import type { Painter, Style } from './createPainter.js';
import { escapeControlCharacters } from './escapeControlCharacters.js';
import { formatSeconds } from './formatSeconds.js';
import type { TaskChange } from './trackTaskRuns.js';

/** Colour of each kind of change. */
const STYLE_OF: Readonly<Record<TaskChange['kind'], Style>> = {
  started: 'cyan',
  running: 'cyan',
  retrying: 'yellow',
  pending: 'dim',
  completed: 'green',
  failed: 'red',
  cancelled: 'yellow',
};

/** The longest kind, so names line up. */
const KIND_WIDTH = 'cancelled'.length;
/** Characters kept of an output line or error message. */
const DETAIL_CHARS = 100;

function clip(text: string): string {
  const line = text.split('\n').find((part) => part.trim() !== '') ?? '';
  return escapeControlCharacters(line.length > DETAIL_CHARS ? `${line.slice(0, DETAIL_CHARS - 1)}…` : line);
}

function lastLine(text: string | undefined): string {
  return clip(text?.trimEnd().split('\n').pop() ?? '');
}

function describe({ kind, task, delayMs }: TaskChange): string {
  const name = escapeControlCharacters(task.name);
  switch (kind) {
    case 'started':
      if (task.attempts > 1) return `${name} (attempt ${task.attempts})`;
      // With a history: why a cacheable task runs instead of coming from it.
      return task.ranBecause === undefined ? name : `${name}: ${clip(task.ranBecause)}`;
    case 'retrying':
      return `${name}: attempt ${task.attempts} failed, retry in ${formatSeconds(delayMs ?? 0)}: ${clip(task.error ?? '')}`;
    case 'completed': {
      const output = lastLine(task.output);
      return `${name} ${task.cached === true ? 'cached, not run' : `in ${formatSeconds(task.durationMs)}`}${output === '' ? '' : `: ${output}`}`;
    }
    case 'pending':
      // The only pending change a tracker reports (see trackTaskRuns).
      return `${name}: its work returned; waiting for its children`;
    default:
      return `${name}: ${clip(task.error ?? kind)}`;
  }
}

/**
 * One line for a task's state change: elapsed time of the run, the kind, the task and what
 * matters about it (the last output line of a completed command, the error of a failure, the
 * reason of a cancellation, the delay of a retry). No newline at the end.
 *
 * @example
 * formatChange({ kind: 'completed', task }, 1630, paint);
 * // '  1.63s  completed  parse_axioms in 0.21s: parsed 42 axioms of the ordered field theory'
 */
export function formatChange(change: TaskChange, elapsedMs: number, paint: Painter): string {
  const kind = paint(STYLE_OF[change.kind], change.kind.padEnd(KIND_WIDTH));
  return `${formatSeconds(elapsedMs).padStart(7)}  ${kind}  ${describe(change)}`;
}
