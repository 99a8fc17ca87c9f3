import { formatTable } from '../simulate/formatTable.js';
import { sqliteStore } from '../stores/sqlite/sqliteStore.js';
import type { StoredTaskState } from '../core/TaskStore.js';
import type { CliIo } from './CliIo.js';
import { counted } from './counted.js';
import { escapeControlCharacters } from './escapeControlCharacters.js';
import { ExitCode } from './ExitCode.js';
import { wasStopped } from '../stores/wasStopped.js';

const STATUSES = ['completed', 'failed', 'cancelled', 'running', 'pending'] as const;

function describeState(state: StoredTaskState): string {
  const detail = describeStep(state);
  if (state.interruptedAttempts === 0) return detail;
  const interrupted = `${counted(state.interruptedAttempts, 'attempt')} interrupted by a crash (not counted as retries; max_interruptions ${state.task.maxInterruptions ?? 'the default'})`;
  return detail === '' ? interrupted : `${detail}; ${interrupted}`;
}

function describeStep(state: StoredTaskState): string {
  if (state.status === 'running') return `running attempt ${state.attempt} when the run ended (a crash or a kill)`;
  if (wasStopped(state)) return `attempt ${state.attempt} stopped with the run: starts again on resume, not counted`;
  if (state.status === 'pending') return state.pendingReason === 'backoff' ? `waiting to retry (attempt ${state.attempt} failed)` : `waiting (${state.pendingReason ?? 'queued'})`;
  if (state.status === 'completed') return state.cached === true ? 'cached: completed from the history, not run' : '';
  return state.error === undefined ? (state.cancelReason ?? '') : `${state.error.name}: ${state.error.message}`;
}

/**
 * `xeno-scheduler status <state>`: prints a run stored with `run --state` without changing it: its
 * tasks by state, each task's status and attempts, the attempts that were running when the
 * run stopped (they count as interrupted when it resumes, against `max_interruptions`, not
 * retries), and how many attempts earlier crashes interrupted, per task and in all.
 *
 * @returns {@link ExitCode.OK}, or {@link ExitCode.FAILED} when a task did not complete
 * @throws TaskStoreError naming the file (missing, not a store, held by a live run, ...)
 * @example
 * process.exitCode = statusCommand('run.db', {}, processIo);
 */
export function statusCommand(file: string, flags: { json?: boolean }, io: CliIo): ExitCode {
  const store = sqliteStore(file, { readOnly: true });
  let states: StoredTaskState[];
  try {
    states = store.load();
  } finally {
    store.close();
  }
  const counts = Object.fromEntries(STATUSES.map((status) => [status, states.filter((state) => state.status === status).length]));
  const running = states.filter((state) => state.status === 'running');
  const interruptedAttempts = states.reduce((sum, state) => sum + state.interruptedAttempts, 0);
  if (flags.json) {
    const tasks = states.map((state) => ({ id: state.task.id, status: state.status, attempts: state.attempt, interruptedAttempts: state.interruptedAttempts, detail: describeState(state) }));
    io.stdout.write(`${JSON.stringify({ state: file, tasks: states.length, counts, running: running.map((state) => state.task.id), interruptedAttempts, sessions: store.sessions, list: tasks }, null, 2)}\n`);
  } else {
    const table = formatTable(
      states.map((state) => ({
        task: escapeControlCharacters(state.task.id),
        status: state.status,
        attempts: state.attempt,
        detail: escapeControlCharacters(describeState(state)),
      })),
    );
    const byState = STATUSES.map((status) => `${counts[status]} ${status}`).join(', ');
    const stopped = running.length === 0 ? 'nothing was running when it stopped' : `running when it stopped: ${running.map((state) => `${state.task.id} (attempt ${state.attempt})`).join(', ')}`;
    const interrupted = interruptedAttempts === 0 ? '' : `; ${counted(interruptedAttempts, 'attempt')} interrupted by earlier crashes (not counted as retries)`;
    io.stdout.write(`${states.length === 0 ? '' : `${table}\n\n`}${escapeControlCharacters(`${file}: ${counted(states.length, 'task')}: ${byState}; ${stopped}${interrupted}; opened by ${counted(store.sessions, 'run')}`)}\n`);
  }
  return states.every((state) => state.status === 'completed') ? ExitCode.OK : ExitCode.FAILED;
}
