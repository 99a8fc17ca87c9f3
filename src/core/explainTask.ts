import type { PendingReason, QueuedTask, TaskExplanation, TaskStatus } from '../types.js';

/** What explaining one task reads; nothing is changed. */
export interface ExplainView {
  readonly id: string;
  readonly status: TaskStatus;
  readonly pendingReason: PendingReason | undefined;
  readonly attempts: number;
  readonly resources: Readonly<Record<string, number>>;
  /** True while the task is in the ready queue. */
  readonly isQueued: boolean;
  /** Dependencies that have not completed. */
  readonly waitingOn: readonly string[];
  /** Ready tasks in dispatch order (read only when the task is queued). */
  ordered(): readonly QueuedTask[];
  free(name: string): number;
  readonly workersBusy: boolean;
  readonly paused: boolean;
  /** Where a dispatched attempt waits for a worker, as the executor says. */
  readonly placement?: string | undefined;
  /** Its children (spawned, or a race's alternatives): how many in all, how many not ended. */
  readonly children?: { readonly kind: 'spawn' | 'race'; readonly total: number; readonly open: number } | undefined;
  /** The backup copy (`speculate`) running beside its attempt, if one is, and the clock's time now. */
  readonly backup?: { readonly id: string; readonly attempt: number; readonly startedAt: number; readonly now: number } | undefined;
}

/** How many ids of the tasks ahead an explanation lists. */
const AHEAD_LISTED = 20;

/**
 * Why a task is not running, as a pure function of an {@link ExplainView}: its unmet
 * dependencies, the resources it asks for that are not free once the tasks ahead of it have
 * theirs reserved, whether workers are busy or the scheduler paused, and what is ahead of it.
 *
 * @example
 * explainTask(view).summary; // 'all workers are busy; 3 ready task(s) ahead'
 */
export function explainTask(view: ExplainView): TaskExplanation {
  const ahead: string[] = [];
  let aheadCount = 0;
  const short: Record<string, { requested: number; free: number }> = {};
  if (view.isQueued) {
    const reserved = new Map<string, number>();
    for (const task of view.ordered()) {
      if (task.id === view.id) break;
      aheadCount++;
      if (ahead.length < AHEAD_LISTED) ahead.push(task.id);
      for (const name in task.resources) reserved.set(name, (reserved.get(name) ?? 0) + (task.resources[name] as number));
    }
    for (const name in view.resources) {
      const requested = view.resources[name] as number;
      const free = Math.max(0, view.free(name) - (reserved.get(name) ?? 0));
      if (requested > free) short[name] = { requested, free };
    }
  }
  const explanation = {
    id: view.id,
    status: view.status,
    pendingReason: view.pendingReason,
    dependencies: view.status === 'pending' ? view.waitingOn : [],
    resources: short,
    workersBusy: view.workersBusy,
    paused: view.paused,
    ahead,
    aheadCount,
    placement: view.placement,
  };
  return { ...explanation, summary: summarize(view, explanation) };
}

function summarize(view: ExplainView, e: Omit<TaskExplanation, 'summary'>): string {
  if (view.status === 'running' && view.backup !== undefined) {
    const { id, attempt, startedAt, now } = view.backup;
    return `attempt ${attempt} straggles: its backup copy "${id}" runs beside it (for ${Math.max(0, now - startedAt)} ms); the first to finish wins`;
  }
  if (view.status !== 'pending') return `task "${view.id}" is ${view.status}`;
  if (e.pendingReason === 'dispatched') {
    return `attempt ${view.attempts} holds a worker slot and waits for a worker: ${e.placement ?? 'its executor has not started it yet'}`;
  }
  if (e.dependencies.length > 0) return `waiting for ${e.dependencies.length} dependencies: ${e.dependencies.join(', ')}`;
  if (e.pendingReason === 'children' && view.children !== undefined) {
    const { kind, total, open } = view.children;
    return kind === 'race'
      ? `racing ${open} of ${total} alternatives: the first to complete wins`
      : `its work returned; waiting for ${open} of ${total} children`;
  }
  if (e.pendingReason === 'backoff') return `waiting to retry after attempt ${view.attempts} failed`;
  if (e.paused) return 'the scheduler is paused';
  const parts: string[] = [];
  if (e.workersBusy) parts.push('all workers are busy');
  const short = Object.entries(e.resources).map(([name, r]) => `${name} ${r.requested} requested, ${r.free} free`);
  if (short.length > 0) parts.push(`resources short: ${short.join('; ')}`);
  if (e.aheadCount > 0) parts.push(`${e.aheadCount} ready task(s) ahead`);
  return parts.length > 0 ? parts.join('; ') : 'ready: it starts at the next dispatch';
}
