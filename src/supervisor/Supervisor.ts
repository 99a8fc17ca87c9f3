import { createActor, type ActorRefFrom, type AnyActorRef } from 'xstate';
import { dependencyGraphLogic } from '../../machines/dependencyGraphLogic.js';
import { priorityHeapLogic } from '../../machines/priorityHeapLogic.js';
import { resourcePoolLogic } from '../../machines/resourcePoolLogic.js';
import { DependencyTimeoutError, PolicyError, TaskSchedulingError, type TaskStoreError } from '../errors.js';
import { spawnProblem } from './Family.js';
import type { SupervisorSettings } from './SupervisorSettings.js';

export type { SupervisorSettings } from './SupervisorSettings.js';
import { GuardedQueue } from '../GuardedQueue.js';
import type { NormalizedTask } from '../normalizeTaskSpec.js';
import { admitBatch, checkBatch } from './admitBatch.js';
import { taskLogic } from '../taskLogic.js';
import type { PolicyContext } from '../types.js';
import { DependencyDeadlines } from './DependencyDeadlines.js';
import { createDispatchView } from './createDispatchView.js';
import { nextDispatch, type DispatchView } from './nextDispatch.js';
import { WorkerSlots } from './WorkerSlots.js';
import { Outbox } from './Outbox.js';
import { repairQueue } from './repairQueue.js';
import { TaskLifecycle } from './TaskLifecycle.js';
import { TaskRegistry } from './TaskRegistry.js';
import { isLive, pendingReasonOf, statusOf, toRecord, type TaskEntry } from './TaskEntry.js';
import type { TaskSpec } from '../types.js';
import { TaskActors } from './TaskActors.js';
import { Waiters } from './Waiters.js';

// Events without data are sent as shared constants: one allocation less per send.
const TASK_BLOCK = Object.freeze({ type: 'task.block' as const });
const TASK_PAUSE = Object.freeze({ type: 'task.pause' as const });
const TASK_RESUME = Object.freeze({ type: 'task.resume' as const });
const TASK_RACE = Object.freeze({ type: 'task.race' as const });
const NO_RESERVATIONS: ReadonlyMap<string, number> = new Map();

/**
 * The scheduler actor's state and behaviour. It owns the registry of tasks, creates one task
 * actor per task (with the scheduler actor as parent), and drives the resource-pool,
 * dependency-graph and priority-heap actors. What happens to one task (its attempts and its end)
 * is {@link TaskLifecycle}'s; what runs next is {@link nextDispatch}'s, a pure function; why a
 * task waits is {@link explainTask}'s, another.
 */
export class Supervisor {
  readonly settings: SupervisorSettings;
  readonly registry: TaskRegistry;
  readonly outbox: Outbox;
  readonly waiters: Waiters;
  readonly deadlines: DependencyDeadlines;
  readonly lifecycle: TaskLifecycle;
  readonly actors: TaskActors;
  readonly runningEntries = new Set<TaskEntry>();
  readonly slots: WorkerSlots;
  #seq = 0;
  #paused = false;
  #stopped = false;
  #failure: TaskStoreError | undefined;
  #pumpScheduled = false;
  #view: DispatchView<TaskEntry> | undefined;
  /** Failures of the policy's queue about no task in particular since the last dispatch. */
  queueStrikes = 0;
  /** Entries marked queued: what the policy's queue should hold, whatever it says. */
  queuedCount = 0;
  guardedQueue!: GuardedQueue;
  policyContext!: PolicyContext;
  pool!: ActorRefFrom<typeof resourcePoolLogic>;
  graph!: ActorRefFrom<typeof dependencyGraphLogic>;
  queue!: ActorRefFrom<typeof priorityHeapLogic>;
  /**
   * How deep the facade is inside scheduleTask(s) (a listener may call it again from inside);
   * while above 0, dispatch waits for a microtask.
   */
  scheduleDepth = 0;
  /** An error the facade throws to the call whose event met it (a store that refused a batch). */
  callerError: unknown;
  /** Sends `scheduler.pump` to the scheduler actor; set by the facade. */
  requestPump: () => void = () => {};
  /**
   * Schedules `specs` as children of attempt `attempt` of task `parent` (`ctx.spawn`): set by
   * the facade, which normalizes them as it does any batch; throws and schedules nothing when
   * they are refused.
   */
  spawnChildren: (parent: string, attempt: number, specs: readonly TaskSpec<any>[]) => string[] = () => [];

  constructor(settings: SupervisorSettings) {
    this.settings = settings;
    this.slots = new WorkerSlots(settings.maxWorkers);
    this.outbox = new Outbox(settings.events, () => {
      repairQueue(this);
      // Nothing that follows from a transition is seen before the transition is durable.
      settings.store?.commit?.();
    });
    this.registry = new TaskRegistry(settings.maxFinishedRecords, (ids) => {
      this.graph.send({ type: 'graph.forget', ids });
      settings.store?.forget(ids);
    });
    this.waiters = new Waiters(this.outbox, () => this.registry.live, () => {
      // No task waits any more: a deadline of one that became ready must not hold the process.
      this.deadlines.stop();
      settings.events.emit('idle', undefined);
    });
    this.deadlines = new DependencyDeadlines({
      clock: settings.clock,
      deadlineOf: (id) => {
        const entry = this.registry.entries.get(id);
        return entry && pendingReasonOf(entry) === 'dependencies' ? entry.dependencyDeadline : undefined;
      },
      expire: (id) => this.#expireDependencyWait(id),
      afterFire: () => this.outbox.flush(),
    });
    const events = settings.events.all;
    this.actors = new TaskActors(settings.liveActorLimit, {
      isWatched: () => events.has('task:waiting') || events.has('*'),
      moved: (entry) => this.outbox.emit('task:waiting', () => ({ task: toRecord(entry) })),
    });
    this.lifecycle = new TaskLifecycle(this);
  }

  /** Creates the three helper actors as children of the scheduler actor. */
  start(self: AnyActorRef): void {
    this.lifecycle.init(self, taskLogic);
    this.pool = createActor(resourcePoolLogic, { parent: self, id: 'resourcePool', input: this.settings.resources });
    this.graph = createActor(dependencyGraphLogic, { parent: self, id: 'dependencyGraph' });
    this.policyContext = {
      now: () => this.settings.clock.now(),
      dependentsOf: (id: string) => this.dag.dependentsOf(id),
      estimateOf: (id: string) => this.registry.entries.get(id)?.estimateMs,
      resourcesOf: (id: string) => this.registry.entries.get(id)?.resources,
      maxWorkers: this.settings.maxWorkers,
      capacity: this.settings.resources,
    };
    // The policy's queue is user code: wrapped so that a throw is recorded, never thrown
    // through the priority-heap actor's transition (see repairQueue).
    this.guardedQueue = new GuardedQueue(this.settings.policy.createQueue(this.policyContext));
    this.queue = createActor(priorityHeapLogic, { parent: self, id: 'priorityHeap', input: this.guardedQueue });
    this.pool.start();
    this.graph.start();
    this.queue.start();
  }

  get ledger() {
    return this.pool.getSnapshot().context.ledger;
  }

  get dag() {
    return this.graph.getSnapshot().context.dag;
  }

  get readyQueue() {
    return this.queue.getSnapshot().context;
  }

  get isPaused(): boolean {
    return this.#paused;
  }

  get isStopped(): boolean {
    return this.#stopped;
  }

  /** The store write that failed, once one has: the scheduler is halted. */
  get failure(): TaskStoreError | undefined {
    return this.#failure;
  }

  /**
   * The store cannot write: fail-stop. Nothing more dispatches, what was queued to be seen (work
   * starts, events, waiters) is dropped (it followed from transitions the store does not hold),
   * every waiter rejects with `failure`, and the `error` event reports it. Running work goes on
   * until `stop()`; the store keeps what was committed, which is what a resume finds.
   */
  halt(failure: TaskStoreError): void {
    if (this.#failure !== undefined) return;
    this.#failure = failure;
    this.deadlines.stop();
    this.outbox.halt(failure);
    this.waiters.fail(failure);
  }

  // ---------------------------------------------------------------- admission

  /** Checks a normalized batch; throws without changing anything (see {@link checkBatch}). */
  checkBatch(batch: readonly NormalizedTask[], list?: string): void {
    checkBatch(this, batch, list);
  }

  /** Adds a checked batch (see {@link admitBatch}). */
  /**
   * Throws a TaskSchedulingError when attempt `attempt` of `parentId` may not spawn `batch`
   * (see {@link spawnProblem}); nothing changes either way.
   */
  checkSpawn(parentId: string, attempt: number, batch: readonly NormalizedTask[]): void {
    const problem = spawnProblem(
      {
        taskOf: (id) => {
          const entry = this.registry.entries.get(id);
          return entry && { status: statusOf(entry), attempts: entry.attempts, family: entry.family, parent: entry.parent };
        },
        dependentsOf: (id) => this.dag.dependentsOf(id),
      },
      parentId,
      attempt,
      batch,
      this.settings.maxChildren,
    );
    if (problem !== undefined) throw new TaskSchedulingError(problem.message, problem.field);
  }

  addBatch(batch: readonly NormalizedTask[]): void {
    admitBatch(this, batch);
  }

  /** The next submission number. */
  nextSeq(): number {
    return this.#seq++;
  }

  /** Numbers new tasks after those recovered from a store. */
  continueSeqAfter(seq: number): void {
    this.#seq = Math.max(this.#seq, seq + 1);
  }

  // ---------------------------------------------------------------- the ready queue

  /** Puts ready tasks in the queue with one event for the lot (a batch may hold 300k). */
  enqueue(ready: readonly TaskEntry[]): void {
    // A race takes no worker: ready, it waits for its alternatives (admitted with it) instead.
    const entries = ready.some((entry) => entry.family?.kind === 'race') ? ready.filter((entry) => entry.family?.kind !== 'race') : ready;
    if (entries !== ready) {
      for (const entry of ready) {
        if (entry.family?.kind !== 'race') continue;
        this.settings.store?.record({ kind: 'awaiting', id: entry.id, at: this.settings.clock.now(), attempt: 0, result: undefined });
        this.actors.send(entry, TASK_RACE);
      }
    }
    if (entries.length === 0) return;
    for (const entry of entries) {
      if (!entry.queued) this.queuedCount++;
      entry.queued = true;
    }
    this.queue.send({ type: 'queue.push', tasks: entries });
    if (this.#paused) for (const entry of entries) this.actors.send(entry, TASK_PAUSE);
  }

  dequeue(entry: TaskEntry): void {
    if (!entry.queued) return;
    entry.queued = false;
    this.queuedCount--;
    this.queue.send({ type: 'queue.remove', id: entry.id });
  }

  // ---------------------------------------------------------------- dispatch

  schedulePump(): void {
    if (this.#pumpScheduled || !this.settings.autoStart) return;
    this.#pumpScheduled = true;
    // Work never starts inside scheduleTask: the first pump after it runs in a microtask.
    queueMicrotask(() => this.requestPump());
  }

  /** Pumps now, unless a scheduleTask call is on the stack (then in a microtask). */
  pumpSoon(): void {
    if (this.scheduleDepth > 0) this.schedulePump();
    else this.pump();
  }

  /** The dispatch loop: applies {@link nextDispatch}'s decisions until one is not `start`. */
  pump(): void {
    this.#pumpScheduled = false;
    if (this.#paused || this.#stopped || this.#failure !== undefined || !this.settings.autoStart) {
      // Nothing dispatches, so nothing is held back for anyone: stats must not show reservations.
      if (this.pool.getSnapshot().context.reserved.size > 0) this.pool.send({ type: 'pool.reserve', amounts: NO_RESERVATIONS });
      this.waiters.check();
      return;
    }
    let reserved = NO_RESERVATIONS;
    // One view for the scheduler's life: its getters are live (a view per pump was 1% of a run).
    const view = (this.#view ??= createDispatchView(this));
    // The tasks one pump dispatches start at one time: the pump's. Stamped after each start,
    // a task would start later by the cost of starting those before it (a cold actor, a busy
    // machine), a lag its own attempt never had.
    const now = this.settings.clock.now();
    for (;;) {
      const decision = nextDispatch(view);
      if (decision.kind === 'idle') break;
      if (decision.kind === 'wait') {
        for (const task of decision.blocked) this.#markBlocked(task);
        reserved = decision.reserved;
        break;
      }
      for (const task of decision.passedOver) this.#markBlocked(task);
      this.dispatch(decision.task, now);
    }
    if (reserved.size > 0 || this.pool.getSnapshot().context.reserved.size > 0) {
      this.pool.send({ type: 'pool.reserve', amounts: reserved });
    }
    this.waiters.check();
  }

  /** A task the dispatcher set aside for lack of resources waits in `pending.resources`. */
  #markBlocked(entry: TaskEntry): void {
    if (pendingReasonOf(entry) === 'queued') this.actors.send(entry, TASK_BLOCK);
  }

  /** Takes a queued task out of the queue, gives it a slot and its resources, and starts it at `at`. */
  dispatch(entry: TaskEntry, at = this.settings.clock.now()): void {
    this.dequeue(entry);
    if (entry.hasResources) this.pool.send({ type: 'pool.allocate', owner: entry.id, request: entry.resources });
    this.runningEntries.add(entry);
    entry.slot = this.slots.take();
    const { onStart } = this.settings.policy;
    if (onStart) {
      try {
        onStart.call(this.settings.policy, entry);
      } catch (error) {
        // The task never starts: give back what it took, and it fails with the policy's error.
        this.releaseRun(entry);
        this.lifecycle.reject(entry, new PolicyError(this.settings.policy.name, 'onStart', entry.id, error));
        return;
      }
    }
    this.queueStrikes = 0;
    entry.startedAt = at;
    this.lifecycle.start(entry);
  }

  /** Gives back a running (or just dispatched) task's worker slot and resources. */
  releaseRun(entry: TaskEntry): void {
    if (!this.runningEntries.delete(entry)) return;
    if (entry.slot !== undefined) this.slots.give(entry.slot);
    entry.slot = undefined;
    if (entry.hasResources) this.pool.send({ type: 'pool.release', owner: entry.id });
  }

  // ---------------------------------------------------------------- control

  setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    // Every queued task moves into `pending.paused`, or back to `pending.queued`.
    for (const entry of this.registry.entries.values()) {
      if (entry.queued) this.actors.send(entry, paused ? TASK_PAUSE : TASK_RESUME);
    }
    this.settings.executor.setPaused?.(paused);
    this.schedulePump();
  }

  /** Cancels everything live and refuses further work; no timer of ours stays armed. */
  stopAll(reason: string): void {
    this.#stopped = true;
    this.deadlines.stop();
    for (const entry of [...this.registry.entries.values()]) {
      if (isLive(entry)) this.actors.send(entry, { type: 'task.cancel', reason });
    }
  }

  #expireDependencyWait(id: string): void {
    const entry = this.registry.entries.get(id);
    if (entry === undefined || !isLive(entry)) return;
    const error = new DependencyTimeoutError(id, this.settings.dependencyTimeoutMs, this.dag.waitingOn(id));
    this.actors.send(entry, { type: 'task.upstreamFailed', error });
  }
}
