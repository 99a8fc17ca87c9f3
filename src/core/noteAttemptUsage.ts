import { MemoryLimitError, SchedulerError } from '../errors.js';
import { toError } from '../internal/toError.js';
import type { SupervisorSettings } from './SupervisorSettings.js';
import type { TaskEntry } from './TaskEntry.js';

/** A retry after a memory kill asks for this many times the memory (as VPA after an OOM kill). */
export const MEMORY_RAISE_FACTOR = 1.2;

/**
 * An active attempt ended (`event`: its machine event): its usage is kept on the entry (duration
 * from its start to now, and what its work measured), told to the history (`settings.estimates`),
 * and, when `memoryLimit: 'enforce'` killed it, its memory request is raised for the retry
 * (× {@link MEMORY_RAISE_FACTOR}, bounded by the pool) and the kill counted by the history. A
 * history that throws (it cannot write) goes to `reportError`: the attempt ends as it did.
 * `startedAt`: when the run that ended the attempt started (a winning backup copy's start).
 *
 * @example
 * noteAttemptUsage(settings, entry, { type: 'task.succeed' }, reportError); // entry.usage = { durationMs: 1200, … }
 */
export function noteAttemptUsage(
  settings: Pick<SupervisorSettings, 'clock' | 'estimates' | 'resources'>,
  entry: TaskEntry,
  event: { type: string; error?: unknown },
  reportError: (error: SchedulerError) => void,
  startedAt = entry.startedAt,
): void {
  if (startedAt === undefined) return;
  const now = settings.clock.now();
  const measured = entry.measured;
  entry.measured = undefined;
  entry.usage = {
    durationMs: Math.max(0, now - startedAt),
    peakRssBytes: measured?.peakRssBytes,
    cpuMs: measured?.cpuMs,
    measuredBy: measured?.measuredBy ?? 'none',
  };
  const killed = event.type === 'task.fail' && event.error instanceof MemoryLimitError && entry.enforceMemory ? event.error : undefined;
  if (killed !== undefined) {
    const memory = entry.resources['memory'] ?? 0;
    const raised = Math.min(Math.ceil(memory * MEMORY_RAISE_FACTOR * 100) / 100, settings.resources['memory'] ?? Number.POSITIVE_INFINITY);
    entry.resources = Object.freeze({ ...entry.resources, memory: raised });
  }
  // Only completions and memory kills teach durations and requests; a cancel or timeout says nothing of the work.
  if (settings.estimates === undefined || entry.runs === undefined) return;
  if (event.type !== 'task.succeed' && killed === undefined && event.type !== 'task.fail') return;
  const identity = { name: entry.name, runs: entry.runs, type: entry.type };
  try {
    settings.estimates.observe(identity, entry.usage, now, {
      completed: event.type === 'task.succeed',
      ...(killed === undefined ? {} : { killedAtRequestBytes: killed.requestBytes }),
    });
  } catch (error) {
    // Learning is advice: a history that cannot be written (a full disk) is reported, and the run goes on.
    reportError(error instanceof SchedulerError ? error : new SchedulerError('INTERNAL', `learning from task "${entry.id}" failed: ${toError(error).message}`, { cause: error }));
  }
}
