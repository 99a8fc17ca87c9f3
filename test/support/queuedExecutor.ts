import type { Attempt, Executor, OutcomeSink } from '../../src/core/Executor.js';
import { inlineExecutor } from '../../src/executors/inlineExecutor.js';

/**
 * An executor whose attempts wait in a queue until the test lets a worker take them, as jobs wait
 * in a node's BullMQ queue: `reportsActive`, and `active()` is called when one is taken.
 */
export interface QueuedExecutor extends Executor {
  /** Ids of the tasks whose attempt waits, oldest first. */
  readonly waiting: readonly string[];
  /** Every attempt started or adopted, in order. */
  readonly attempts: readonly Attempt[];
  /** Every attempt `abort` was called for, as `id:attempt`. */
  readonly aborted: readonly string[];
  /** A worker takes the waiting attempt of `taskId`: it reports it active and runs its work inline. */
  take(taskId: string): void;
  /**
   * The attempt's outcome arrives with no active report before it (the report was lost): its work
   * is run inline without `active()`.
   */
  runUnreported(taskId: string): void;
}

/**
 * Creates a {@link QueuedExecutor}. A waiting attempt that is aborted is taken off the queue and
 * reported failed with the reason, as a removed job is.
 *
 * @example
 * const executor = queuedExecutor();
 * createScheduler({ executor }).scheduleTask({ id: 'a', run });
 * executor.take('a');
 */
export function queuedExecutor(): QueuedExecutor {
  const inline = inlineExecutor();
  const queue = new Map<string, { attempt: Attempt; report: OutcomeSink }>();
  const aborted: string[] = [];
  const attempts: Attempt[] = [];
  let settled: (() => void)[] = [];
  const dequeue = (taskId: string): { attempt: Attempt; report: OutcomeSink } => {
    const held = queue.get(taskId);
    if (held === undefined) throw new Error(`queuedExecutor: no attempt of "${taskId}" waits (waiting: ${[...queue.keys()].join(', ') || 'none'})`);
    queue.delete(taskId);
    return held;
  };
  const afterDequeue = (): void => {
    if (queue.size > 0) return;
    const waiters = settled;
    settled = [];
    for (const resolve of waiters) void inline.onSettled().then(resolve);
  };
  return {
    name: 'queued',
    reportsActive: true,
    get inFlight() {
      return queue.size + inline.inFlight;
    },
    get waiting() {
      return [...queue.keys()];
    },
    aborted,
    attempts,
    start(attempt, report) {
      attempts.push(attempt);
      queue.set(attempt.taskId, { attempt, report });
    },
    adopt(attempt, report) {
      attempts.push(attempt);
      queue.set(attempt.taskId, { attempt, report });
    },
    take(taskId) {
      const { attempt, report } = dequeue(taskId);
      attempt.active();
      inline.start(attempt, report);
      afterDequeue();
    },
    runUnreported(taskId) {
      const { attempt, report } = dequeue(taskId);
      inline.start(attempt, report);
      afterDequeue();
    },
    abort(taskId, attempt, reason) {
      aborted.push(`${taskId}:${attempt}`);
      const held = queue.get(taskId);
      if (held === undefined || held.attempt.attempt !== attempt) {
        inline.abort(taskId, attempt, reason);
        return;
      }
      queue.delete(taskId);
      held.report(taskId, attempt, { ok: false, error: reason });
      afterDequeue();
    },
    explain(taskId) {
      return queue.has(taskId) ? 'in the test queue' : undefined;
    },
    onSettled() {
      if (queue.size === 0) return inline.onSettled();
      return new Promise((resolve) => settled.push(resolve));
    },
  };
}
