import type { StoredTaskState } from '../core/TaskStore.js';

/**
 * Whether a task's last step was a stop handing its attempt back (`stopped`): it waits again with
 * an attempt behind it and no start (only `stopped` clears the start a `started` set).
 *
 * @example
 * wasStopped(store.load()[0]); // true after a Ctrl-C stopped its attempt
 */
export function wasStopped(state: StoredTaskState): boolean {
  return state.status === 'pending' && state.pendingReason === 'queued' && state.attempt > 0 && state.startedAt === undefined;
}
