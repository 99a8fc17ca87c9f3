import type { TaskPriority } from '../types.js';
import type { Supervisor } from './Supervisor.js';
import { isLive, pendingReasonOf, statusOf, toRecord, type TaskEntry } from './TaskEntry.js';

const TASK_RESUME = Object.freeze({ type: 'task.resume' as const });

/**
 * Cancels a live task (its actor decides what that means in its state); false once it ended.
 *
 * @example
 * cancelEntry(supervisor, 'lemma', 'not needed');
 */
export function cancelEntry(s: Supervisor, id: string, reason: string): boolean {
  const entry = s.registry.require(id);
  if (!isLive(entry)) return false;
  s.actors.send(entry, { type: 'task.cancel', reason });
  return true;
}

/**
 * True while a task's priority can still change: it is pending and not dispatched (a dispatched
 * task's job is handed out: as for one that started, nothing would change).
 *
 * @example
 * if (acceptsPriority(supervisor, 'lemma')) changePriority(supervisor, 'lemma', TaskPriority.HIGH);
 */
export function acceptsPriority(s: Supervisor, id: string): boolean {
  const entry = s.registry.require(id);
  return statusOf(entry) === 'pending' && pendingReasonOf(entry) !== 'dispatched';
}

/**
 * Changes a pending task's priority: the one queue entry moves (never a copy left behind).
 *
 * @example
 * changePriority(supervisor, 'lemma', TaskPriority.HIGH);
 */
export function changePriority(s: Supervisor, id: string, priority: TaskPriority): boolean {
  if (!acceptsPriority(s, id)) return false;
  const entry = s.registry.require(id);
  entry.priority = priority;
  s.settings.store?.record({ kind: 'priority', id, at: s.settings.clock.now(), priority });
  if (entry.queued) s.queue.send({ type: 'queue.update', task: entry });
  s.schedulePump();
  return true;
}

/**
 * The executor put an attempt on a node: the record says where, and so does `task:placed`.
 *
 * @example
 * notePlaced(supervisor, entry, 1, 'gpu-1');
 */
export function notePlaced(s: Supervisor, entry: TaskEntry, attempt: number, node: string): void {
  if (entry.attempts !== attempt || entry.outcome !== undefined) return;
  entry.node = node;
  s.outbox.emit('task:placed', () => ({ task: toRecord(entry), attempt, node }));
  s.outbox.flush();
}

/**
 * True if {@link executeEntry} would start the task now: ready, a worker free, its resources free.
 *
 * @example
 * if (canExecuteEntry(supervisor, 'lemma')) executeEntry(supervisor, 'lemma');
 */
export function canExecuteEntry(s: Supervisor, id: string): boolean {
  const entry = s.registry.require(id);
  if (!entry.queued || s.isStopped || s.failure !== undefined) return false;
  return s.slots.free > 0 && s.ledger.fits(entry.resources);
}

/**
 * Starts a ready task now, out of queue order (a paused one too); does nothing unless
 * {@link canExecuteEntry}.
 *
 * @example
 * executeEntry(supervisor, 'lemma');
 */
export function executeEntry(s: Supervisor, id: string): void {
  if (!canExecuteEntry(s, id)) return;
  const entry = s.registry.require(id);
  if (pendingReasonOf(entry) === 'paused') s.actors.send(entry, TASK_RESUME);
  s.dispatch(entry);
}

/**
 * The executor says an attempt's work is active (a worker took its job): its task machine moves
 * from `pending.dispatched` to `running`; for a late attempt, or one already active, nothing changes.
 *
 * @example
 * noteActive(supervisor, entry, 1);
 */
export function noteActive(s: Supervisor, entry: TaskEntry, attempt: number): void {
  if (entry.attempts !== attempt || !isLive(entry)) return;
  s.actors.send(entry, { type: 'task.active', attempt });
  s.outbox.flush();
}
