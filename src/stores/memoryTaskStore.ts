import type { StoredTask, StoredTaskState, TaskStore, TaskTransition } from '../core/TaskStore.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Applies one transition to a task's folded state. Pure: the in-memory store and a durable one
 * fold the same way, so they rebuild the same tasks.
 *
 * @example
 * foldTransition(state, { kind: 'started', id: 'a', at: 10, attempt: 1 });
 */
export function foldTransition(state: Mutable<StoredTaskState>, transition: TaskTransition): void {
  switch (transition.kind) {
    case 'ready':
      state.pendingReason = 'queued';
      state.readyAt = transition.at;
      state.retryAt = undefined;
      return;
    case 'started':
      state.status = 'running';
      state.pendingReason = undefined;
      state.attempt = transition.attempt;
      state.startedAt = transition.at;
      state.activeAt = undefined;
      state.retryAt = undefined;
      return;
    case 'active':
      if (state.status !== 'running' || state.attempt !== transition.attempt) return;
      state.startedAt = transition.at;
      state.activeAt = transition.at;
      return;
    case 'retrying':
      state.status = 'pending';
      state.pendingReason = 'backoff';
      state.retryAt = transition.retryAt;
      state.error = transition.error;
      return;
    case 'priority':
      state.priority = transition.priority;
      return;
    case 'awaiting':
      // Its work's result waits with it; its start stays (the work ran).
      state.status = 'pending';
      state.pendingReason = 'children';
      state.result = transition.result;
      state.activeAt = undefined;
      return;
    case 'stopped':
    case 'interrupted':
      // Its attempt was running until a stop (Ctrl-C) or a crash: it waits again, as ready as it
      // was, that attempt counted apart from its retries.
      if (state.status !== 'running' || state.attempt !== transition.attempt) return;
      state.status = 'pending';
      state.pendingReason = 'queued';
      state.activeAt = undefined;
      if (transition.kind === 'interrupted') {
        // Its start stays (as a retry keeps it): only a stop clears it, so that a store tells a
        // stopped attempt (wasStopped) from an interrupted one.
        state.interruptedAttempts += 1;
        return;
      }
      state.stoppedAttempts += 1;
      state.startedAt = undefined;
      return;
    case 'completed':
      state.result = transition.result;
      state.error = undefined;
      if (transition.cacheKey !== undefined) state.cacheKey = transition.cacheKey;
      if (transition.cached === true) state.cached = true;
      break;
    case 'failed':
      state.error = transition.error;
      break;
    case 'cancelled':
      state.cancelReason = transition.reason;
      break;
  }
  state.status = transition.kind;
  state.pendingReason = undefined;
  state.retryAt = undefined;
  state.completedAt = transition.at;
}

/** The state of a task just accepted. */
export function initialTaskState(task: StoredTask): StoredTaskState {
  return {
    task,
    priority: task.priority,
    status: 'pending',
    pendingReason: task.dependencies.length > 0 ? 'dependencies' : 'queued',
    attempt: 0,
    stoppedAttempts: 0,
    interruptedAttempts: 0,
    retryAt: undefined,
    readyAt: task.dependencies.length > 0 ? undefined : task.createdAt,
    startedAt: undefined,
    activeAt: undefined,
    completedAt: undefined,
    result: undefined,
    error: undefined,
    cancelReason: undefined,
  };
}

/**
 * A {@link TaskStore} in this process's memory: what a durable store would write, folded as it
 * arrives. Useful to test recovery and to inspect a run; gone with the process.
 *
 * @example
 * const store = memoryTaskStore();
 * const scheduler = createScheduler({ store });
 */
export function memoryTaskStore(): TaskStore {
  const states = new Map<string, Mutable<StoredTaskState>>();
  return {
    addTasks(tasks) {
      const batch = new Set<string>();
      for (const task of tasks) {
        if (states.has(task.id) || batch.has(task.id)) throw new Error(`memoryTaskStore: task "${task.id}" is already stored`);
        batch.add(task.id);
      }
      for (const task of tasks) states.set(task.id, { ...initialTaskState(task) });
    },
    record(transition) {
      const state = states.get(transition.id);
      if (state !== undefined) foldTransition(state, transition);
    },
    forget(ids) {
      for (const id of ids) states.delete(id);
    },
    load() {
      return [...states.values()].sort((a, b) => a.task.seq - b.task.seq).map((state) => ({ ...state }));
    },
  };
}
