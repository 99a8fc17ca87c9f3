import type { AnyActorRef } from 'xstate';
import { retryDelayMs, type TaskMachineEvent } from '../../machines/taskMachine.js';
import { PolicyError, RaceLostError, SchedulerError, TaskCancelledError, TaskTimeoutError, UpstreamFailedError } from '../errors.js';
import type { AttemptOutcome } from '../executors/Executor.js';
import type { taskLogic } from '../taskLogic.js';
import type { Supervisor } from './Supervisor.js';
import { isLive, pendingReasonOf, statusOf, toRecord, type FinalStatus, type TaskEntry } from './TaskEntry.js';
import { childEnded } from './Family.js';
import { AttemptHandle } from './AttemptHandle.js';
import { toStoredError } from './toStoredTask.js';
import { toError } from '../internal/toError.js';

// Records taken in an entry action describe the state being entered.
const RUNNING = Object.freeze({ status: 'running' as const, pendingReason: undefined });
const IN_BACKOFF = Object.freeze({ status: 'pending' as const, pendingReason: 'backoff' as const });

const TASK_START = Object.freeze({ type: 'task.start' as const });
const TASK_DISPATCH = Object.freeze({ type: 'task.dispatch' as const });
const TASK_READY = Object.freeze({ type: 'task.ready' as const });
const TASK_RETRY = Object.freeze({ type: 'task.retry' as const });

/**
 * One task's life as the supervisor runs it: its actor is created here, the machine's effects
 * (start and abort an attempt, wait to retry, queue again) land here, and so does its end: the
 * record, the graph's cascade to its dependents, the waiters, the store. Attempts run through
 * the scheduler's {@link Executor}; their outcomes come back by task id and attempt number.
 */
export class TaskLifecycle {
  readonly #s: Supervisor;
  /** Executor `abort` calls under way (see {@link deliver}). */
  #aborting = 0;
  /** What a dispatch sends: the work runs at once, or waits until its executor reports it active. */
  readonly #startEvent: TaskMachineEvent;

  constructor(supervisor: Supervisor) {
    this.#s = supervisor;
    this.#startEvent = supervisor.settings.executor.reportsActive === true ? TASK_DISPATCH : TASK_START;
  }

  /** A dispatched task starts running (or, with an executor that reports activity, waits for it). */
  start(entry: TaskEntry): void {
    this.#s.actors.send(entry, this.#startEvent);
  }

  /** Binds the machine's effects to this supervisor; task actors get `self` as parent. */
  init(self: AnyActorRef, logic: typeof taskLogic): void {
    this.#s.actors.init(self, logic.provide({
      actions: {
        startWork: ({ context }) => this.#startAttempt(context.id, context.attempt, true),
        dispatchWork: ({ context }) => this.#startAttempt(context.id, context.attempt, false),
        activateWork: ({ context }) => this.#activate(context.id, context.attempt),
        abortWork: ({ context, event }) => this.#endAttempt(context.id, context.attempt, event, true),
        withdrawWork: ({ context, event }) => this.#endAttempt(context.id, context.attempt, event, false),
        requeue: ({ context }) => this.#requeue(context.id),
        notifyBackoff: ({ context }) => this.#noteBackoff(context.id, context.error, retryDelayMs(context)),
      },
    }));
  }

  /**
   * Arms a task's one deadline (its attempt's timeout, or its retry delay): `event` reaches the
   * task after `ms`, unless the deadline is disarmed or another is armed first.
   */
  armDeadline(entry: TaskEntry, ms: number, event: TaskMachineEvent): void {
    const { clock } = this.#s.settings;
    this.#disarm(entry);
    entry.deadline = clock.setTimeout(() => {
      entry.deadline = undefined;
      this.#s.actors.send(entry, event);
    }, ms);
  }

  /** Arms the retry of a recovered task in backoff, at its stored time. */
  armRetry(entry: TaskEntry, retryAt: number): void {
    this.armDeadline(entry, Math.max(0, retryAt - this.#s.settings.clock.now()), TASK_RETRY);
  }

  #disarm(entry: TaskEntry): void {
    if (entry.deadline === undefined) return;
    this.#s.settings.clock.clearTimeout(entry.deadline);
    entry.deadline = undefined;
  }

  /** A dependency that already failed or was cancelled, if any. */
  abandonedUpstream(dependencies: readonly string[]): { id: string; outcome: 'failed' | 'cancelled' } | undefined {
    const dag = this.#s.dag;
    for (const id of dependencies) {
      const outcome = dag.outcomeOf(id);
      if (outcome === 'failed' || outcome === 'cancelled') return { id, outcome };
    }
    return undefined;
  }

  /** An upstream failed or was cancelled: the dependent follows, and its work never runs. */
  doom(entry: TaskEntry, upstream: string, outcome: 'failed' | 'cancelled'): void {
    if (outcome === 'cancelled') this.#s.actors.send(entry, { type: 'task.cancel', reason: `dependency "${upstream}" was cancelled` });
    else this.#s.actors.send(entry, { type: 'task.upstreamFailed', error: new UpstreamFailedError(entry.id, upstream) });
  }

  /** A pending task fails without running (a policy threw about it). */
  reject(entry: TaskEntry, error: PolicyError): void {
    this.#s.outbox.reportError(error);
    this.#s.actors.send(entry, { type: 'task.upstreamFailed', error });
  }

  // ---------------------------------------------------------------- the machine's effects

  /**
   * An attempt takes its worker: its work goes to the executor, and the journal says it started
   * (a restarted scheduler adopts it, active or not). Active at once, or when the executor says.
   */
  #startAttempt(id: string, attempt: number, isActive: boolean): void {
    const s = this.#s;
    const entry = s.registry.entries.get(id);
    if (entry === undefined) return;
    entry.attempts = attempt;
    // `startedAt` is the dispatch's time, set by the supervisor before it sent the start.
    s.settings.store?.record({ kind: 'started', id, at: entry.startedAt ?? s.settings.clock.now(), attempt });
    if (isActive) this.#begin(entry, attempt);
    // Not started until its work is active (an earlier attempt's start is not this one's).
    else entry.startedAt = undefined;
    const executor = s.settings.executor;
    s.outbox.push(() => {
      try {
        executor.start(new AttemptHandle(s, entry, attempt), this.deliver);
      } catch (error) {
        // An executor that cannot take the attempt fails it, as if the work had thrown.
        this.deliver(id, attempt, { ok: false, error: toError(error) });
      }
    });
  }

  /** A dispatched attempt's work is active: it starts now, and its time counts from now. */
  #activate(id: string, attempt: number): void {
    const s = this.#s;
    const entry = s.registry.entries.get(id);
    if (entry === undefined) return;
    entry.startedAt = s.settings.clock.now();
    s.settings.store?.record({ kind: 'active', id, at: entry.startedAt, attempt });
    this.#begin(entry, attempt);
  }

  /** The attempt runs: counted, announced, and its deadline armed. */
  #begin(entry: TaskEntry, attempt: number): void {
    const s = this.#s;
    // Armed before it is counted as running: a clock that throws here (inside the actor's
    // transition, see crash) leaves no count behind.
    if (entry.timeoutMs > 0) this.armDeadline(entry, entry.timeoutMs, { type: 'task.timeout', attempt });
    s.registry.move('pending', 'running');
    s.outbox.emit('task:started', () => ({ task: toRecord(entry, RUNNING), attempt }));
  }

  /** Where the executor reports outcomes: by id and attempt, so a late one changes nothing. */
  readonly deliver = (taskId: string, attempt: number, given: AttemptOutcome): void => {
    const outcome = given.ok && given.spawned !== undefined ? this.#withChildren(taskId, attempt, given) : given;
    const ref = this.#s.registry.entries.get(taskId)?.ref;
    // A late outcome (after cancel, timeout or a newer attempt) reaches a stopped actor or
    // fails the machine's attempt guard: either way it changes nothing.
    if (ref !== undefined && ref.getSnapshot().status === 'active') {
      const open = this.#s.registry.entries.get(taskId)?.family?.open ?? 0;
      // Work that returned before its children completed: the task waits for them, holding nothing.
      if (outcome.ok) ref.send(open > 0 ? { type: 'task.awaitChildren', attempt, result: outcome.result } : { type: 'task.succeed', attempt, result: outcome.result });
      else ref.send({ type: 'task.fail', attempt, error: outcome.error });
    }
    // Reported from inside an abort (an executor may report at once), the actors are mid-step:
    // what follows leaves with the flush of the call that aborted.
    if (this.#aborting === 0) this.#s.outbox.flush();
  };

  /** Children a remote attempt spawned, scheduled now: the outcome as the work's, or the refusal as its failure. */
  #withChildren(taskId: string, attempt: number, outcome: AttemptOutcome & { ok: true }): AttemptOutcome {
    try {
      this.#s.spawnChildren(taskId, attempt, outcome.spawned ?? []);
      return outcome;
    } catch (error) {
      return { ok: false, error: toError(error) };
    }
  }

  /** Calls the executor's `abort`; an outcome it reports at once is not flushed from inside. */
  #abort(id: string, attempt: number, reason: Error): void {
    this.#aborting++;
    try {
      this.#s.settings.executor.abort(id, attempt, reason);
    } finally {
      this.#aborting--;
    }
  }

  /** An attempt ends (`wasActive`: it was running; else it was dispatched and never ran). */
  #endAttempt(id: string, attempt: number, event: { type: string }, wasActive: boolean): void {
    const s = this.#s;
    const entry = s.registry.entries.get(id);
    if (entry === undefined) return;
    this.#disarm(entry);
    // Every attempt's end counts back to pending; settle() then moves it on to its final state.
    if (wasActive) s.registry.move('running', 'pending');
    s.releaseRun(entry);
    const { onFinish } = s.settings.policy;
    if (onFinish) {
      try {
        onFinish.call(s.settings.policy, entry);
      } catch (error) {
        // The attempt has ended whatever the policy thinks of it: report, change no outcome.
        s.outbox.reportError(new PolicyError(s.settings.policy.name, 'onFinish', id, error));
      }
    }
    if (event.type === 'task.succeed') return; // settle() pumps
    if (event.type === 'task.awaitChildren') {
      // Journaled: a resumed run waits for the children again and never runs this work again.
      s.settings.store?.record({ kind: 'awaiting', id, at: s.settings.clock.now(), attempt, result: (event as { result?: unknown }).result });
      // Its worker and resources are free for others (its children among them).
      s.schedulePump();
      return;
    }
    // A failed or interrupted attempt's work is over already: nothing to abort.
    if (event.type !== 'task.fail' && event.type !== 'task.interrupted') {
      const reason =
        event.type === 'task.cancel'
          ? new TaskCancelledError(id, (event as { reason?: string }).reason ?? 'cancelled')
          : event.type === 'task.upstreamFailed'
            ? ((event as { error?: Error }).error as Error)
            : new TaskTimeoutError(id, entry.timeoutMs);
      try {
        this.#abort(id, attempt, reason);
      } catch (error) {
        // The task ends as the machine decided (cancelled, timed out); the executor's fault is reported.
        s.outbox.reportError(new SchedulerError('INTERNAL', `executor "${s.settings.executor.name}" failed to abort task "${id}": ${toError(error).message}`, { cause: error }));
      }
    }
    // A failed attempt that will be retried never reaches settle(): its slot must be used now.
    s.schedulePump();
  }

  #requeue(id: string): void {
    const s = this.#s;
    const entry = s.registry.entries.get(id);
    if (entry === undefined) return;
    this.#disarm(entry);
    entry.readyAt = s.settings.clock.now();
    s.settings.store?.record({ kind: 'ready', id, at: entry.readyAt });
    s.enqueue([entry]);
    s.schedulePump();
  }

  #noteBackoff(id: string, error: Error | undefined, delayMs: number): void {
    const s = this.#s;
    const entry = s.registry.entries.get(id);
    if (entry === undefined) return;
    const cause = error ?? new Error('retry');
    entry.error = cause;
    const now = s.settings.clock.now();
    s.settings.store?.record({ kind: 'retrying', id, at: now, attempt: entry.attempts, retryAt: now + delayMs, error: toStoredError(cause) });
    this.armDeadline(entry, delayMs, TASK_RETRY);
    s.outbox.emit('task:retrying', () => ({ task: toRecord(entry, IN_BACKOFF), attempt: entry.attempts, error: cause, delayMs }));
  }

  /** A dependency completed: a task that has none left joins the ready queue. */
  #release(id: string): void {
    const s = this.#s;
    const entry = s.registry.entries.get(id);
    if (entry === undefined || !isLive(entry) || !Number.isNaN(entry.readyAt)) return;
    entry.readyAt = s.settings.clock.now();
    s.settings.store?.record({ kind: 'ready', id, at: entry.readyAt });
    this.#s.actors.send(entry, TASK_READY);
    s.enqueue([entry]);
  }

  // ---------------------------------------------------------------- families

  /** A child ended: its family decides what its parent does (see childEnded). */
  #childEnded(child: TaskEntry, status: FinalStatus): void {
    const s = this.#s;
    const parent = s.registry.entries.get(child.parent as string);
    if (parent?.family === undefined || !isLive(parent)) return;
    const decision = childEnded(parent.family, parent.id, child.id, status, child.result, child.error, (id) => {
      const sibling = s.registry.entries.get(id);
      return sibling !== undefined && isLive(sibling);
    });
    switch (decision.kind) {
      case 'none':
        return;
      case 'complete':
        if (decision.fromWork) {
          // Still running, the parent completes when its work returns (deliver sees no open child).
          if (pendingReasonOf(parent) === 'children') s.actors.send(parent, { type: 'task.childrenDone', result: parent.ref?.getSnapshot().context.result });
          return;
        }
        s.actors.send(parent, { type: 'task.childrenDone', result: decision.result });
        this.#cancelChildren(decision.losers, `race "${parent.id}" was won by "${decision.winner}"`);
        return;
      case 'fail':
        s.actors.send(parent, { type: 'task.upstreamFailed', error: decision.error });
        break;
      case 'cancel':
        s.actors.send(parent, { type: 'task.cancel', reason: decision.reason });
    }
    // Now, not when the parent's end is heard: the pump that follows this end must not start them.
    this.#cancelChildren(parent.family.children, `parent "${parent.id}" ${decision.kind === 'fail' ? 'failed' : 'was cancelled'}`);
  }

  /**
   * A parent restored waiting for its children (`pending.children`) whose children ended while
   * no scheduler ran, or before its wait was journaled: what their ends decide now, once.
   */
  settleRestoredWait(parent: TaskEntry): void {
    const family = parent.family;
    if (family === undefined || !isLive(parent)) return;
    const s = this.#s;
    const ended = family.children.map((id) => s.registry.entries.get(id)).filter((child) => child?.outcome !== undefined) as TaskEntry[];
    if (family.kind === 'spawn') {
      const failed = ended.find((child) => child.outcome !== 'completed');
      if (failed !== undefined) s.actors.send(parent, { type: 'task.upstreamFailed', error: new UpstreamFailedError(parent.id, failed.id, 'child') });
      else if (family.open === 0) s.actors.send(parent, { type: 'task.childrenDone', result: parent.result });
      return;
    }
    const winner = ended.find((child) => child.outcome === 'completed');
    if (winner !== undefined) {
      family.winner = winner.id;
      s.actors.send(parent, { type: 'task.childrenDone', result: winner.result });
      this.#cancelChildren(family.children, `race "${parent.id}" was won by "${winner.id}"`);
    } else if (family.open === 0) {
      s.actors.send(parent, { type: 'task.upstreamFailed', error: new RaceLostError(parent.id, family.failures) });
    }
  }

  #cancelChildren(ids: readonly string[], reason: string): void {
    for (const id of ids) {
      const child = this.#s.registry.entries.get(id);
      if (child === undefined || !isLive(child)) continue;
      this.#s.actors.send(child, { type: 'task.cancel', reason });
      // Ended, it leaves the queue at once: a pump in this same step must not dispatch it.
      this.#s.dequeue(child);
    }
  }

  // ---------------------------------------------------------------- the end

  /** The task's actor reached a final state: its output says which. */
  finish(id: string): void {
    const entry = this.#s.registry.entries.get(id);
    // A dormant task that ended from waiting has no actor: its final snapshot says the same.
    const output = (entry?.ref?.getSnapshot() ?? entry?.dormant)?.output;
    if (entry === undefined || output === undefined) return;
    this.#settle(entry, output.status, output.result, output.error, output.cancelReason);
  }

  /**
   * A task actor failed inside its own transition (an effect threw): a bug, not the task's
   * failure, but the task must still end, give back its worker and resources, and say why.
   */
  crash(id: string, cause: unknown): void {
    const s = this.#s;
    const entry = s.registry.entries.get(id);
    if (entry?.ref === undefined || entry.outcome !== undefined) return;
    const error = new SchedulerError('INTERNAL', `task "${id}" failed inside the scheduler: ${toError(cause).message}`, { cause });
    if (s.runningEntries.has(entry)) {
      // A dispatched attempt that never became active was never counted as running.
      if (statusOf(entry) === 'running') s.registry.move('running', 'pending');
      s.releaseRun(entry);
      this.#abort(id, entry.attempts, error);
    }
    s.outbox.reportError(error);
    this.#settle(entry, 'failed', undefined, error, undefined);
  }

  #settle(entry: TaskEntry, status: FinalStatus, result: unknown, error: Error | undefined, cancelReason: string | undefined): void {
    const s = this.#s;
    const id = entry.id;
    s.registry.move('pending', status);
    entry.outcome = status;
    entry.result = result;
    entry.error = status === 'completed' ? undefined : (error ?? entry.error);
    entry.completedAt = s.settings.clock.now();
    s.actors.release(entry);
    this.#disarm(entry);
    s.dequeue(entry);
    const at = entry.completedAt;
    if (status === 'completed') {
      s.settings.store?.record({ kind: 'completed', id, at, result });
      // Heard before what it makes ready: a listener never sees a dependent ready while this runs.
      s.outbox.emit('task:completed', () => ({ task: toRecord(entry), result }));
      s.graph.send({ type: 'graph.completed', id });
      for (const ready of s.graph.getSnapshot().context.unblocked) this.#release(ready);
    } else {
      const reason = cancelReason ?? 'cancelled';
      if (status === 'cancelled') {
        entry.cancelReason = reason;
        s.settings.store?.record({ kind: 'cancelled', id, at, reason });
        s.outbox.emit('task:cancelled', () => ({ task: toRecord(entry), reason }));
      } else {
        s.settings.store?.record({ kind: 'failed', id, at, error: toStoredError(entry.error as Error) });
        s.outbox.emit('task:failed', () => ({ task: toRecord(entry), error: entry.error as Error }));
      }
      s.graph.send({ type: 'graph.abandoned', id, outcome: status });
      for (const dependent of s.graph.getSnapshot().context.doomed) {
        const downstream = s.registry.entries.get(dependent);
        // A dependent may have ended already in this step (a diamond dooms it twice): its done
        // event is on its way; sending to its stopped actor would only warn.
        if (downstream !== undefined && isLive(downstream)) this.doom(downstream, id, status);
      }
    }
    if (entry.parent !== undefined) this.#childEnded(entry, status);
    // Its children never outlive it: a parent that failed or was cancelled takes them along.
    if (status !== 'completed' && entry.family !== undefined) {
      this.#cancelChildren(entry.family.children, `parent "${id}" ${status === 'failed' ? 'failed' : 'was cancelled'}`);
    }
    s.waiters.settle(id, () => toRecord(entry));
    s.registry.retain(id);
    // Pump at once (a slot may have freed) unless a scheduleTask call is on the stack.
    s.pumpSoon();
  }
}
