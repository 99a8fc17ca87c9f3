import { assign, createActor, transition, type AnyActorRef, type StateValue } from 'xstate';
import { taskMachine, type TaskMachineContext, type TaskMachineEvent } from '../../machines/taskMachine.js';
import { TaskTimeoutError } from '../errors.js';
import type { PendingReason } from '../types.js';
import { pendingReasonOf, type TaskActorRef, type TaskEntry, type TaskSnapshot } from './TaskEntry.js';

/**
 * The task machine as the scheduler runs it: an attempt that runs out of time records a
 * {@link TaskTimeoutError}. The machine itself stays pure (it imports nothing of the runtime's);
 * this is where the runtime's error class is plugged in. The runtime provides its effects
 * (`startWork`, `abortWork`, ...) on top with `taskLogic.provide(...)`.
 *
 * @example
 * const actor = createActor(taskLogic.provide({ actions: { startWork: ... } }), { input });
 */
export const taskLogic = taskMachine.provide({
  actions: {
    recordTimeout: assign({ error: ({ context }) => new TaskTimeoutError(context.id, context.timeoutMs) }),
  },
});

/**
 * What an event does to a dormant task, as the machine says (asked once per state and event
 * type): the shared snapshot of the waiting state it moves to, `end` when it ends the task from
 * waiting, `wake` when the task needs its actor (start).
 */
type DormantStep = TaskSnapshot | 'end' | 'wake';

/** Who hears that a pending task waits for another reason (the `task:waiting` event), if anyone. */
export interface WaitingWatch {
  /** Whether anyone listens: without, a send compares nothing. */
  isWatched(): boolean;
  moved(entry: TaskEntry): void;
}

/**
 * The task actors of one supervisor: created with the scheduler actor as parent, from shared
 * snapshots, and only as many at once as `liveActorLimit` allows for tasks that merely wait.
 * Every event to a task goes through {@link TaskActors.send}, which knows whether it has an actor.
 */
export class TaskActors {
  readonly #limit: number;
  readonly #templates = new Map<string, TaskSnapshot>();
  readonly #dormantSteps = new Map<TaskSnapshot, Map<string, DormantStep>>();
  #live = 0;
  #self!: AnyActorRef;
  #logic!: typeof taskLogic;
  /** {@link #logic} for actors created from a snapshot that is live already (see {@link #createActor}). */
  #fromLive!: typeof taskLogic;

  readonly #waiting: WaitingWatch;

  constructor(liveActorLimit: number, waiting: WaitingWatch) {
    this.#limit = liveActorLimit;
    this.#waiting = waiting;
  }

  /** The machine with the supervisor's effects, and the parent of every task actor. */
  init(self: AnyActorRef, logic: typeof taskLogic): void {
    this.#self = self;
    this.#logic = logic;
    // The same machine, but an actor created with a snapshot takes it as it is. Ours are live
    // snapshots already (a resolved state, or a shared one with the task's context): XState's
    // `restoreSnapshot` would rebuild the state nodes, value and tags from the value and walk the
    // context for persisted actor refs, all to make the same snapshot again (no task machine has
    // children or history states).
    this.#fromLive = Object.create(logic, { restoreSnapshot: { value: (snapshot: TaskSnapshot) => snapshot } }) as typeof taskLogic;
  }

  /**
   * A pending task's machine, born in `pending.dependencies` or `pending.queued` (or, recovered
   * from a store with no attempt and no error yet, where it waited). It gets a live actor at once while fewer than
   * `liveActorLimit` task actors live; beyond that it is dormant: its state is the shared
   * snapshot of the state it waits in, and its actor is created when an event takes it out of
   * waiting (see {@link send}). A million queued tasks then cost no million actors.
   */
  admit(entry: TaskEntry, state: 'dependencies' | 'queued'): void {
    const template = this.#bornIn(state);
    if (this.#live < this.#limit) this.#wake(entry, template);
    else entry.dormant = template;
  }

  /**
   * A live actor for a task recovered from a store, in the state it was stored in, with its
   * attempts and last error in its context. No entry action runs again and no `after` delay is
   * armed: the caller re-arms deadlines (the supervisor's #restore).
   */
  restoreActor(entry: TaskEntry, value: StateValue, attempt: number, error: Error | undefined, result: unknown = undefined): void {
    const snapshot = this.#logic.resolveState({ value, context: this.#contextOf(entry, attempt, error, result) });
    this.#createActor(entry, snapshot);
  }

  /**
   * Sends an event to a task. A dormant task takes it through the machine's own transition on
   * its shared snapshot while that only moves it between waiting states with no action (pause,
   * resume, ready, block). One that ends it from waiting (cancel, a failed dependency) is taken
   * by the machine's transition too, on the task's own context: the final snapshot is kept and
   * the scheduler actor hears of it with the done event an actor would send, so ending a million
   * dormant tasks (stop, a cascade) creates no actor. Any other event (start) creates its actor
   * in the state it waits in, and the actor takes the event. An ended task takes nothing.
   */
  send(entry: TaskEntry, event: TaskMachineEvent): void {
    if (!this.#waiting.isWatched()) {
      this.#send(entry, event);
      return;
    }
    const before = pendingReasonOf(entry);
    this.#send(entry, event);
    const after = pendingReasonOf(entry);
    if (before !== undefined && after !== undefined && after !== before) this.#waiting.moved(entry);
  }

  #send(entry: TaskEntry, event: TaskMachineEvent): void {
    if (entry.ref !== undefined) {
      entry.ref.send(event);
      return;
    }
    const from = entry.dormant;
    if (from === undefined || from.status !== 'active') return;
    const step = this.#dormantStep(from, event);
    if (step !== 'wake' && step !== 'end') {
      entry.dormant = step;
      return;
    }
    if (step === 'end') {
      // The same step again on the task's own context: the final snapshot and output are its own.
      const [to, actions] = transition(this.#logic, { ...from, context: this.#contextOf(entry) }, event);
      if (to.status === 'done' && actions.length === 0) {
        entry.dormant = to;
        this.#self.send({ type: `xstate.done.actor.${entry.id}`, output: to.output });
        return;
      }
    }
    this.#wake(entry, from).send(event);
  }

  /** Task actors alive now (dormant and ended tasks have none). */
  get liveActors(): number {
    return this.#live;
  }

  #wake(entry: TaskEntry, template: TaskSnapshot): TaskActorRef {
    // Every task waiting in one state has the same snapshot but for its context: resolving the
    // state once and sharing the rest (value, nodes, tags) saves about 0.4 KiB and 15 µs a task,
    // and avoids an eventless transition per task (about 30 µs). XState never mutates them.
    return this.#createActor(entry, { ...template, context: this.#contextOf(entry) });
  }

  #createActor(entry: TaskEntry, snapshot: TaskSnapshot): TaskActorRef {
    // No input: the snapshot carries the context, and the actor keeps its options for life.
    const ref = createActor(this.#fromLive, { parent: this.#self, id: entry.id, snapshot, input: undefined as never });
    entry.ref = ref;
    entry.dormant = undefined;
    this.#live++;
    ref.start();
    return ref;
  }

  /** A task's machine context: a new task's (no attempt, no error), or a recovered one's. */
  #contextOf(entry: TaskEntry, attempt = 0, error: Error | undefined = undefined, result: unknown = undefined): TaskMachineContext {
    const { retry } = entry;
    return {
      id: entry.id,
      maxAttempts: retry.attempts,
      timeoutMs: entry.timeoutMs,
      backoffMs: retry.backoffMs,
      backoffFactor: retry.backoffFactor,
      maxBackoffMs: retry.maxBackoffMs,
      attempt,
      // A parent restored waiting for its children keeps its work's result.
      result,
      error,
      cancelReason: undefined,
      outcome: undefined,
    };
  }

  /**
   * Where the machine takes a dormant task on `event` (see {@link DormantStep}): a waiting state
   * when the step stays in one with no action and no context change, `end` when it reaches a
   * final state with no action, else `wake`. Asked of the machine once per state and event type,
   * so the hot path (a dormant task's start) costs one map lookup, not a transition.
   */
  #dormantStep(from: TaskSnapshot, event: TaskMachineEvent): DormantStep {
    let steps = this.#dormantSteps.get(from);
    if (steps === undefined) this.#dormantSteps.set(from, (steps = new Map()));
    let step = steps.get(event.type);
    if (step === undefined) {
      const [to, actions] = transition(this.#logic, from, event);
      const stays = to.status === 'active' && actions.length === 0 && to.context === from.context && typeof to.value === 'object';
      if (stays) step = this.#bornIn((to.value as { pending: PendingReason }).pending);
      else step = to.status === 'done' && actions.length === 0 ? 'end' : 'wake';
      steps.set(event.type, step);
    }
    return step;
  }

  #bornIn(state: PendingReason): TaskSnapshot {
    let template = this.#templates.get(state);
    if (template === undefined) {
      const context = { id: '', maxAttempts: 1, timeoutMs: 0, backoffMs: 0, backoffFactor: 1, maxBackoffMs: 0, attempt: 0, result: undefined, error: undefined, cancelReason: undefined, outcome: undefined };
      template = this.#logic.resolveState({ value: { pending: state }, context });
      this.#templates.set(state, template);
    }
    return template;
  }

  /** A task ended: its actor (if it had one) is dropped. */
  dropActor(entry: TaskEntry): void {
    if (entry.ref !== undefined) this.#live--;
    entry.ref = undefined;
    entry.dormant = undefined;
  }
}
