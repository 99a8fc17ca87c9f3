import type { BackupRecord, TaskRecord } from './types.js';

/** The events a scheduler emits on `scheduler.events` (a mitt emitter). */
export type SchedulerEvents = {
  /** A task was accepted; it is pending. */
  'task:scheduled': { task: TaskRecord };
  /**
   * A pending task waits for another reason (`task.pendingReason`): its dependencies are done
   * (`queued`), the dispatcher set it aside for resources, it was paused or resumed, its retry
   * delay passed, it was dispatched to an executor that reports when its work is active
   * (`dispatched`: it holds a worker slot; `task:started` follows when the work runs), its work
   * returned and it waits for its children (`children`; a race, when its alternatives start). The same
   * for a task with an actor and a dormant one (past `liveActorLimit`), which inspection cannot
   * see. Entering the retry delay is `task:retrying`. One event per change a call makes: a retry
   * that comes due while the scheduler is paused is heard once, as `paused`.
   */
  'task:waiting': { task: TaskRecord };
  /**
   * An attempt began running (its work is active: at once, or when a remote worker took its job);
   * `attempt` counts from 1.
   */
  'task:started': { task: TaskRecord; attempt: number };
  /**
   * A backup copy of a straggling attempt (`speculate`) started (`backup.outcome` is `running`), or
   * ended: `won`, `lost`, `failed` or `cancelled` (see {@link BackupRecord}). `task.backup` is the same.
   */
  'task:backup': { task: TaskRecord; backup: BackupRecord };
  /** A distributed executor put an attempt on a node's queue. */
  'task:placed': { task: TaskRecord; attempt: number; node: string };
  /** An attempt failed and another will run after `delayMs`. */
  'task:retrying': { task: TaskRecord; attempt: number; error: Error; delayMs: number };
  /**
   * The task completed with `result`; `cached` when it completed from the history without
   * running (its cache key had a completed entry: incremental runs).
   */
  'task:completed': { task: TaskRecord; result: unknown; cached: boolean };
  /** The task failed for good. */
  'task:failed': { task: TaskRecord; error: Error };
  /** The task was cancelled (by a call, an upstream cancellation, or stop). */
  'task:cancelled': { task: TaskRecord; reason: string };
  /** Nothing is pending or running. */
  idle: undefined;
  /**
   * A listener of another event threw, a policy or the executor failed (the scheduler carries on),
   * or the store cannot write (a `TaskStoreError`: the scheduler halts, see `onIdle`). A `'*'`
   * listener hears it but does not handle it: without a listener for `error` itself, a listener's
   * exception is rethrown as uncaught, as Node's EventEmitter would, and any other error is
   * emitted as a process warning (`process.on('warning')`).
   */
  error: { error: Error };
};
