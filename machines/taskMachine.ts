import { and, assign, setup } from 'xstate';

/** What a task machine is created with. */
export interface TaskMachineInput {
  readonly id: string;
  /** Runs allowed in total, counting the first (>= 1). */
  readonly maxAttempts: number;
  /** Per-attempt time limit in ms; 0 disables it. */
  readonly timeoutMs: number;
  /** Delay before the first retry, in ms. */
  readonly backoffMs: number;
  /** Growth of the delay per further retry. */
  readonly backoffFactor: number;
  /** Upper bound on one delay, in ms. */
  readonly maxBackoffMs: number;
}

/** The task machine's context. */
export interface TaskMachineContext extends TaskMachineInput {
  /** Runs started so far. */
  readonly attempt: number;
  readonly result: unknown;
  readonly error: Error | undefined;
  /** Why the task was cancelled, once it is. */
  readonly cancelReason: string | undefined;
  /** The final state it reached, once it has. */
  readonly outcome: TaskMachineOutput['status'] | undefined;
}

/** Events a task machine accepts. Outcomes carry the attempt they belong to, so a late one is ignored. */
export type TaskMachineEvent =
  | { type: 'task.ready' }
  /** A worker slot was given: the attempt's work starts now. */
  | { type: 'task.start' }
  /**
   * A worker slot was given, to an executor that reports when the work is active (a remote
   * queue): the attempt waits in `pending.dispatched` until `task.active`.
   */
  | { type: 'task.dispatch' }
  /** The executor reports the dispatched attempt's work active (a worker took its job). */
  | { type: 'task.active'; attempt: number }
  | { type: 'task.block' }
  | { type: 'task.succeed'; attempt: number; result: unknown }
  /**
   * The attempt failed. `final`: a retry would fail the same way (the scheduler refused the
   * task's own input, such as a spawn), so the task fails now, whatever attempts remain.
   */
  | { type: 'task.fail'; attempt: number; error: Error; final?: boolean }
  | { type: 'task.cancel'; reason: string }
  | { type: 'task.upstreamFailed'; error: Error }
  | { type: 'task.pause' }
  | { type: 'task.resume' }
  /**
   * The history has a completed entry for the ready task's cache key: it completes with that
   * result without an attempt (no work runs, no worker is taken).
   */
  | { type: 'task.cached'; result: unknown }
  /** The backoff is over: the runtime sends it when the retry delay it armed on entry has passed. */
  | { type: 'task.retry' }
  /** The attempt's time is up: the runtime sends it `timeoutMs` after the attempt started. */
  | { type: 'task.timeout'; attempt: number }
  /**
   * The attempt's work is gone with the process that ran it (its scheduler died: a resumed run
   * found it interrupted). Not the work's failure: within its budget (`interruptions`, this one
   * included, at most `maxInterruptions`) the task waits in the queue again and the attempt is
   * not counted against its retries; past it the task fails with `error`.
   */
  | { type: 'task.interrupted'; attempt: number; interruptions: number; maxInterruptions: number; error: Error }
  /**
   * The attempt's work returned (`result`) while children it spawned have not all completed: the
   * task gives back its worker slot and resources and waits for them in `pending.children`.
   */
  | { type: 'task.awaitChildren'; attempt: number; result: unknown }
  /** A ready race (a task with `race:` alternatives and no work of its own) starts them as its children and waits. */
  | { type: 'task.race' }
  /**
   * What a task waiting for children waited for is done: every child completed (`result`: the
   * work's own), or, for a race, the first alternative completed (`result`: the winner's).
   */
  | { type: 'task.childrenDone'; result: unknown };

/** What a task machine ends with. */
export interface TaskMachineOutput {
  readonly status: 'completed' | 'failed' | 'cancelled';
  readonly result: unknown;
  readonly error: Error | undefined;
  readonly attempts: number;
  readonly cancelReason: string | undefined;
}

/**
 * The life of one task: `pending` (with why it waits) → `running` → `completed` | `failed` |
 * `cancelled`. The three last are final and can never be left. Retry goes from `running` back to
 * `pending.backoff`, never through a final state.
 *
 * A task whose work spawned children (`ctx.spawn`) and returned before they all completed waits
 * for them in `pending.children` (`task.awaitChildren`), holding no worker and no resources, and
 * completes on `task.childrenDone`; a race goes there from `pending.queued` (`task.race`) and
 * completes with its first alternative's result. A child's failure reaches it as any upstream
 * failure does (see docs/dynamic-work.md).
 *
 * An attempt begins on `task.start` (its work starts at once: `running`) or on `task.dispatch`
 * (its executor reports when the work is active, as a remote queue does when a worker takes the
 * job): it then holds its worker slot in `pending.dispatched` until `task.active` for it moves it
 * to `running`. A result that arrives there first (its `active` report was lost) means the work
 * did run: the attempt becomes active and ends in the same step. A failure there means the work
 * never ran (an executor reports `active` before the outcome of work that ran): the attempt is
 * withdrawn (`withdrawWork`), as it is by a cancel or an upstream failure.
 *
 * An attempt whose work died with its scheduler (`task.interrupted`, from a run resumed from its
 * store) is handed back: the task waits in the queue again with one more run allowed, so the
 * attempt uses none of its retries, while the runtime's count of interruptions stays within the
 * task's budget; past it the task fails.
 *
 * Time is the runtime's, as the dependency timeout is: it arms the attempt's deadline when
 * `startWork` runs and sends `task.timeout` (with the attempt, so a late one is ignored) when it
 * passes; it arms the retry delay ({@link retryDelayMs}) when `notifyBackoff` runs and sends
 * `task.retry` when it passes. (XState `after` delays would do the same, but XState cancels a
 * stopping actor's delays by scanning every delay of the system: with thousands of tasks in
 * flight, each task's end cost time in proportion to them. A recovered task's deadlines are
 * re-armed the same way as a live one's.)
 *
 * A ready task whose cache key the history holds completes from `pending.queued` on `task.cached`
 * with the stored result, without an attempt (incremental runs).
 * A ready task waits in `pending.queued` for a worker; one the dispatcher set aside because its
 * resources were short moves to `pending.resources` (`task.block`) until it starts.
 * A new task waits in `pending.dependencies` until `task.ready`; the runtime creates tasks that
 * have nothing to wait for directly in `pending.queued` (with `resolveState`). The dependency
 * timeout is the supervisor's, which sends `task.upstreamFailed` when it expires.
 *
 * The machine is pure. Its effects are named actions the runtime provides with
 * `taskMachine.provide({ actions })`: `startWork` (on `task.start`), `dispatchWork` (on
 * `task.dispatch`) and `activateWork` (when a dispatched attempt becomes active), `abortWork`
 * (on leaving `running`, whatever the reason), `withdrawWork` (a dispatched attempt ends before
 * it became active) and `requeue` (leaving backoff for the queue again).
 * Their defaults do nothing, so the machine can be stepped with `transition()` in tests.
 * `recordTimeout` is named for the same reason: by default it records a plain `Error`, and the
 * runtime provides one that records its `TaskTimeoutError` (see `taskLogic` in `src/core/TaskActors.ts`), so the
 * machine imports no value of the runtime's.
 *
 * @example
 * const actor = createActor(taskMachine.provide({ actions: { startWork: ... } }), { input });
 */
export const taskMachine = setup({
  types: {
    input: {} as TaskMachineInput,
    context: {} as TaskMachineContext,
    events: {} as TaskMachineEvent,
    output: {} as TaskMachineOutput,
  },
  actions: {
    /** Runtime effect: run the work for `context.attempt`, and arm its deadline when `timeoutMs` > 0. */
    startWork: () => {},
    /** Runtime effect: hand the work for `context.attempt` to an executor that reports it active later. */
    dispatchWork: () => {},
    /** Runtime effect: the dispatched attempt's work is active: it starts now, and its deadline is armed. */
    activateWork: () => {},
    /** Runtime effect: end a dispatched attempt that never became active (take its job back). */
    withdrawWork: () => {},
    /** Runtime effect: abort the running attempt's signal, if it has not settled, and disarm its deadline. */
    abortWork: () => {},
    /** Runtime effect: tell the scheduler an attempt failed, and arm the retry delay. */
    notifyBackoff: () => {},
    /** Runtime effect: tell the scheduler the task is ready to be queued again after backoff. */
    requeue: () => {},
    countAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
    // The actions that end a task also record which final state it reaches (the machine's
    // output reads it): one assign per ending, not two.
    recordResult: assign({
      result: ({ event }) =>
        event.type === 'task.succeed' || event.type === 'task.cached' || event.type === 'task.childrenDone' ? event.result : undefined,
      outcome: 'completed' as const,
    }),
    recordFailure: assign({
      error: ({ event, context }) =>
        event.type === 'task.fail' || event.type === 'task.upstreamFailed' || event.type === 'task.interrupted' ? event.error : context.error,
      outcome: 'failed' as const,
    }),
    /** The work returned with children still to complete: its result waits with the task. */
    recordWorkResult: assign({ result: ({ event, context }) => (event.type === 'task.awaitChildren' ? event.result : context.result) }),
    /** An interrupted attempt is handed back: one more run is allowed, so it uses no retry. */
    handBackAttempt: assign({ maxAttempts: ({ context }) => context.maxAttempts + 1 }),
    markFailed: assign({ outcome: 'failed' as const }),
    recordError: assign({
      error: ({ event, context }) =>
        event.type === 'task.fail' || event.type === 'task.upstreamFailed' ? event.error : context.error,
    }),
    /** Records that the attempt ran out of time; the runtime provides its own error class. */
    recordTimeout: assign({
      error: ({ context }) => new Error(`task "${context.id}" timed out after ${context.timeoutMs} ms`),
    }),

    recordCancel: assign({
      cancelReason: ({ event }) => (event.type === 'task.cancel' ? event.reason : 'cancelled'),
      outcome: 'cancelled' as const,
    }),
  },
  guards: {
    isCurrentAttempt: ({ context, event }) =>
      (event.type === 'task.succeed' || event.type === 'task.fail' || event.type === 'task.timeout' || event.type === 'task.active' || event.type === 'task.interrupted' || event.type === 'task.awaitChildren') &&
      event.attempt === context.attempt,
    hasInterruptionsLeft: ({ event }) => event.type === 'task.interrupted' && event.interruptions <= event.maxInterruptions,
    canRetry: ({ context, event }) =>
      context.attempt < context.maxAttempts && event.type === 'task.fail' && event.attempt === context.attempt && event.final !== true,
    hasAttemptsLeft: ({ context }) => context.attempt < context.maxAttempts,
    hasTimeout: ({ context }) => context.timeoutMs > 0,
  },
}).createMachine({
  id: 'task',
  // Field by field, not `{ ...input, … }`: a literal of a fixed shape is built far faster than a
  // spread's generic copy, and copies nothing else the input may carry (a bare task machine's
  // lifecycle takes about a sixth less CPU).
  context: ({ input }) => ({
    id: input.id,
    maxAttempts: input.maxAttempts,
    timeoutMs: input.timeoutMs,
    backoffMs: input.backoffMs,
    backoffFactor: input.backoffFactor,
    maxBackoffMs: input.maxBackoffMs,
    attempt: 0,
    result: undefined,
    error: undefined,
    cancelReason: undefined,
    outcome: undefined,
  }),
  initial: 'pending',
  states: {
    pending: {
      initial: 'dependencies',
      on: {
        'task.cancel': { target: 'cancelled', actions: 'recordCancel' },
        'task.upstreamFailed': { target: 'failed', actions: 'recordFailure' },
      },
      states: {
        dependencies: {
          on: { 'task.ready': 'queued' },
        },
        queued: {
          on: {
            'task.start': { target: '#task.running', actions: ['countAttempt', 'startWork'] },
            'task.cached': { target: '#task.completed', actions: 'recordResult' },
            'task.dispatch': { target: 'dispatched', actions: ['countAttempt', 'dispatchWork'] },
            'task.pause': 'paused',
            'task.block': 'resources',
            'task.race': 'children',
          },
        },
        resources: {
          on: {
            'task.start': { target: '#task.running', actions: ['countAttempt', 'startWork'] },
            'task.dispatch': { target: 'dispatched', actions: ['countAttempt', 'dispatchWork'] },
            'task.pause': 'paused',
          },
        },
        // Holds its worker slot and resources; its work waits in the executor (a node's queue).
        // Its deadline is not armed: time spent waiting for a worker is not the attempt's.
        dispatched: {
          on: {
            'task.active': { guard: 'isCurrentAttempt', target: '#task.running', actions: 'activateWork' },
            // A result means the work ran (its active report was lost or is behind): it becomes
            // active and ends. A failure before the report means it never ran (the executor could
            // not start it, its job was gone): withdrawn, never announced as started.
            'task.succeed': { guard: 'isCurrentAttempt', target: '#task.completed', actions: ['activateWork', 'abortWork', 'recordResult'] },
            'task.fail': [
              { guard: 'canRetry', target: 'backoff', actions: ['withdrawWork', 'recordError'] },
              { guard: 'isCurrentAttempt', target: '#task.failed', actions: ['withdrawWork', 'recordFailure'] },
            ],
            'task.cancel': { target: '#task.cancelled', actions: ['withdrawWork', 'recordCancel'] },
            'task.upstreamFailed': { target: '#task.failed', actions: ['withdrawWork', 'recordFailure'] },
            'task.interrupted': [
              { guard: and(['isCurrentAttempt', 'hasInterruptionsLeft']), target: 'queued', actions: ['withdrawWork', 'handBackAttempt', 'requeue'] },
              { guard: 'isCurrentAttempt', target: '#task.failed', actions: ['withdrawWork', 'recordFailure'] },
            ],
          },
        },
        paused: {
          on: { 'task.resume': 'queued' },
        },
        // The work returned (or, for a race, its alternatives started); its children run as tasks
        // of their own. No worker slot, no resources, no deadline: nested spawns cannot fill the
        // pool with parents that wait. A child's failure reaches it as `task.upstreamFailed`, a
        // cancel as for any pending task.
        children: {
          on: { 'task.childrenDone': { target: '#task.completed', actions: 'recordResult' } },
        },
        backoff: {
          entry: 'notifyBackoff',
          on: { 'task.retry': { target: 'queued', actions: 'requeue' } },
        },
      },
    },
    running: {
      // Entered on `task.start` (which counts the attempt and starts its work) or on `task.active`.
      exit: 'abortWork',
      on: {
        'task.timeout': [
          { guard: and(['isCurrentAttempt', 'hasTimeout', 'hasAttemptsLeft']), target: 'pending.backoff', actions: 'recordTimeout' },
          { guard: and(['isCurrentAttempt', 'hasTimeout']), target: 'failed', actions: ['recordTimeout', 'markFailed'] },
        ],
        'task.succeed': { guard: 'isCurrentAttempt', target: 'completed', actions: 'recordResult' },
        'task.awaitChildren': { guard: 'isCurrentAttempt', target: 'pending.children', actions: 'recordWorkResult' },
        'task.fail': [
          { guard: 'canRetry', target: 'pending.backoff', actions: 'recordError' },
          { guard: 'isCurrentAttempt', target: 'failed', actions: 'recordFailure' },
        ],
        'task.cancel': { target: 'cancelled', actions: 'recordCancel' },
        // A child it spawned failed while its work still runs: the work is aborted, the task fails.
        'task.upstreamFailed': { target: 'failed', actions: 'recordFailure' },
        'task.interrupted': [
          { guard: and(['isCurrentAttempt', 'hasInterruptionsLeft']), target: 'pending.queued', actions: ['handBackAttempt', 'requeue'] },
          { guard: 'isCurrentAttempt', target: 'failed', actions: 'recordFailure' },
        ],
      },
    },
    completed: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
  // The output's event is XState's own done event, not the one that ended the task: the action
  // that ended it recorded which final state it reached.
  output: ({ context }) => ({
    status: context.outcome ?? 'failed',
    result: context.result,
    error: context.error,
    attempts: context.attempt,
    cancelReason: context.cancelReason,
  }),
});

/**
 * The delay before the next run after `context.attempt` runs have failed:
 * `min(maxBackoffMs, backoffMs × backoffFactor^(attempt − 1))`.
 */
export function retryDelayMs(context: Pick<TaskMachineContext, 'attempt' | 'backoffMs' | 'backoffFactor' | 'maxBackoffMs'>): number {
  return Math.min(context.maxBackoffMs, context.backoffMs * context.backoffFactor ** Math.max(0, context.attempt - 1));
}
