import type { NodeQueue } from './NodeQueue.js';

/** What a backup copy's task id ends with at the executor (core/Speculation's backupIdOf). */
const BACKUP_SUFFIX = '~backup';

/** A backup copy's job that was waiting or running on a node when a restarted coordinator looked. */
export interface LeftoverBackup {
  readonly node: string;
  readonly jobId: string;
  /** The job id of the attempt it is a copy of: `<runId>.<task id>.<attempt>`. */
  readonly originalJobId: string;
}

/**
 * The job id of the attempt a backup copy's job `<runId>.<encoded id>~backup.<attempt>` copies,
 * or undefined for a job of another run or one that is no backup. An encoded task id holds no
 * `.` (toJobId), so a run id that merely starts with `runId.` is another run's.
 *
 * @example
 * originalOfBackup('r1', 'r1.a~backup.2'); // 'r1.a.2'
 * originalOfBackup('r1', 'r2.a~backup.2'); // undefined
 */
export function originalOfBackup(runId: string, jobId: string): string | undefined {
  if (!jobId.startsWith(`${runId}.`)) return undefined;
  const rest = jobId.slice(runId.length + 1);
  const dot = rest.indexOf('.');
  if (dot === -1 || rest.indexOf('.', dot + 1) !== -1) return undefined;
  const id = rest.slice(0, dot);
  const attempt = rest.slice(dot + 1);
  if (!id.endsWith(BACKUP_SUFFIX) || id.length === BACKUP_SUFFIX.length || !/^[1-9]\d*$/.test(attempt)) return undefined;
  return `${runId}.${id.slice(0, -BACKUP_SUFFIX.length)}.${attempt}`;
}

/**
 * The backup copies' jobs of run `runId` still waiting (or prioritized, delayed) or running on the
 * nodes' queues: one call per node, which reads the ids of every unfinished job on that queue
 * (finished ones are not read), whatever their run.
 *
 * @example
 * await findLeftoverBackups(queues, 'r1'); // [{ node: 'fast', jobId: 'r1.a~backup.1', originalJobId: 'r1.a.1' }]
 */
export async function findLeftoverBackups(queues: ReadonlyMap<string, NodeQueue>, runId: string): Promise<LeftoverBackup[]> {
  const found: LeftoverBackup[] = [];
  for (const [node, { queue }] of queues) {
    for (const jobId of await queue.getRanges(['active', 'wait', 'prioritized', 'delayed'], 0, -1)) {
      const originalJobId = originalOfBackup(runId, jobId);
      if (originalJobId !== undefined) found.push({ node, jobId, originalJobId });
    }
  }
  return found;
}
