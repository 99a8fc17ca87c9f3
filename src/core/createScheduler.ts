import mittModule, { type Emitter } from 'mitt';
import { createActor, type AnyActorLogic } from 'xstate';
import type { SchedulerEvents } from '../events.js';
import { SchedulerStoppedError, TaskSchedulingError } from '../errors.js';
import { drain } from './drain.js';
import { describeValue } from '../internal/describeValue.js';
import { ResourceLedger } from '../internal/ResourceLedger.js';
import { realClock, TimerQueue } from '../internal/TimerQueue.js';
import { DEFAULT_MAX_CHILDREN, GENERATED_ID_PREFIX, normalizeTaskSpecs, parsePriority, type NormalizeDefaults } from './normalizeTaskSpec.js';
import {
  checkInspect,
  checkSeams,
  checkOptionKeys,
  integerOption,
  numberOption,
  resolveAutoStart,
  resolveClock,
  resolveHandlers,
  resolveResources,
  resolveRetry,
  DEFAULT_MAX_INTERRUPTIONS,
  resolveSchedulerPolicy, resolveSpeculate } from './resolveSchedulerOptions.js';
import type { Scheduler } from './scheduler.js';
import { inlineExecutor } from '../executors/inlineExecutor.js';
import { Journal } from './Journal.js';
import { createSchedulerLogic, Supervisor, type SchedulerEvent } from './Supervisor.js';
import type { RecoveredRun, TaskSpec } from '../types.js';
import type { SchedulerOptions } from './SchedulerOptions.js';
import { TaskCache } from '../history/TaskCache.js';
import { learnedFromHistory } from '../estimates/learnedFromHistory.js';

export { DEFAULT_RETRY } from './resolveSchedulerOptions.js';

// mitt ships CommonJS types whose default export NodeNext sees as the module object.
const mitt = mittModule as unknown as <T extends Record<string, unknown>>() => Emitter<T>;

/** The resource pools a scheduler has when none are given: the reference design's. */
export const DEFAULT_RESOURCES = Object.freeze({ cpu: 4, memory: 8, disk: 100, network: 1000 });

/**
 * Creates a scheduler: a root XState actor that supervises one live task machine per task,
 * composed with a resource-pool, a dependency-graph and a priority-heap actor.
 *
 * @example
 * const scheduler = createScheduler({
 *   maxWorkers: 4,
 *   resources: { cpu: 4, memory: 8 },
 *   handlers: { proof_verification: async ({ config }) => verify(config) },
 * });
 * const id = scheduler.scheduleTask({ type: 'proof_verification', priority: 'high', resources: { cpu: 2 } });
 * const record = await scheduler.waitForTask(id);
 */
export function createScheduler(options: SchedulerOptions = {}): Scheduler {
  checkOptionKeys(options);
  const events: Emitter<SchedulerEvents> = mitt<SchedulerEvents>();
  const clock = new TimerQueue(resolveClock(options.clock) ?? realClock);
  const resources = resolveResources(options.resources ?? DEFAULT_RESOURCES);
  checkInspect(options.inspect);
  checkSeams(options);
  // A history file with a usage section teaches and is taught, unless the app gives its own.
  const history = options.history;
  const estimates = options.estimates ?? (history?.usage === undefined ? undefined : learnedFromHistory({ file: history.file, usage: history.usage }));
  const defaults: NormalizeDefaults = {
    defaultPriority: parsePriority(options.defaultPriority ?? 'normal', 'options.defaultPriority'),
    defaultTimeoutMs: numberOption(options.defaultTimeoutMs, 'defaultTimeoutMs', 300_000),
    defaultRetry: resolveRetry(options.defaultRetry),
    maxInterruptions: integerOption(options.maxInterruptions, 'maxInterruptions', DEFAULT_MAX_INTERRUPTIONS, 0),
    handlers: resolveHandlers(options.handlers),
    ledger: new ResourceLedger(resources),
    // Generated ids start with '#', which a chosen id may not: the two never meet, in any order.
    newId: () => `${GENERATED_ID_PREFIX}${++idCounter}`,
    learned: estimates,
    capacity: resources,
    maxChildren: integerOption(options.maxChildren, 'maxChildren', DEFAULT_MAX_CHILDREN, 0),
  };
  let idCounter = 0;
  // Fail-stop: the first write the store refuses halts the scheduler (see Supervisor.halt).
  const journal = options.store === undefined ? undefined : new Journal(options.store, (failure) => supervisor.halt(failure));
  const executor = options.executor ?? inlineExecutor();
  const supervisor = new Supervisor({
    maxWorkers: integerOption(options.maxWorkers, 'maxWorkers', 4),
    resources,
    maxDependencyDepth: integerOption(options.maxDependencyDepth, 'maxDependencyDepth', 10, 0),
    maxChildren: defaults.maxChildren,
    dependencyTimeoutMs: numberOption(options.dependencyTimeoutMs, 'dependencyTimeoutMs', 600_000),
    autoStart: resolveAutoStart(options.autoStart),
    maxFinishedRecords: integerOption(options.maxFinishedRecords, 'maxFinishedRecords', 10_000, 0),
    // Infinity: every waiting task keeps its actor (no dormant tasks).
    liveActorLimit: options.liveActorLimit === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : integerOption(options.liveActorLimit, 'liveActorLimit', 10_000, 0),
    speculate: resolveSpeculate(options.speculate),
    policy: resolveSchedulerPolicy(options.policy, options.policyOptions),
    clock,
    events,
    executor,
    journal,
    estimates,
    cache: options.history === undefined ? undefined : new TaskCache(options.history, () => Date.now()),
    spawnChildren: (parent, attempt, specs) => scheduleBatch(specs, false, { parent, attempt }),
  });
  const actor = createActor(createSchedulerLogic(supervisor) as AnyActorLogic, {
    clock,
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  // An error inside the supervisor is a bug in xeno-scheduler, not in a task; without an
  // observer XState rethrows it on a timer and crashes the process.
  let internalError: unknown;
  actor.subscribe({ error: (error) => (internalError = error) });
  const send = (event: SchedulerEvent): void => {
    actor.send(event);
    supervisor.flush();
    // The store refused a batch: the scheduler halted, and the call that asked throws it.
    const callerError = supervisor.takeCallerError();
    if (callerError !== undefined) throw callerError;
    if (internalError !== undefined) {
      // Thrown once, to the call that met it; not to every call after it.
      const error = internalError;
      internalError = undefined;
      throw error;
    }
  };
  clock.onFired = () => supervisor.flush();
  actor.start();
  let recovered: RecoveredRun | undefined;
  const stored = journal?.load() ?? [];
  if (stored.length > 0) {
    send({ type: 'scheduler.restore', states: stored, options: { handlers: defaults.handlers, maxInterruptions: defaults.maxInterruptions, onRestored: (run) => (recovered = run) } });
  }

  /** `spawn`: the specs are children of that attempt (`ctx.spawn`), checked as such too. */
  const scheduleBatch = (specs: readonly TaskSpec<any>[], single: boolean, spawn?: { parent: string; attempt: number }): string[] => {
    if (supervisor.isStopped) throw new SchedulerStoppedError();
    // Halted on a store that cannot write: nothing more is admitted.
    if (supervisor.failure !== undefined) throw supervisor.failure;
    if (!Array.isArray(specs)) throw new TaskSchedulingError(`tasks: expected an array of task specs, received ${describeValue(specs)}`, 'tasks');
    const before = idCounter;
    try {
      const field = spawn !== undefined ? (i: number) => `spawn[${i}]` : single ? () => 'task' : (i: number) => `tasks[${i}]`;
      const batch = normalizeTaskSpecs(specs, field, defaults, spawn?.parent);
      // A spawn's children are new work of a running attempt: never a resubmission of stored tasks.
      const fresh = spawn === undefined ? supervisor.resubmitted(batch, single) : supervisor.unspawned(batch);
      if (spawn !== undefined) supervisor.checkSpawn(spawn.parent, spawn.attempt, fresh);
      supervisor.check(fresh, spawn !== undefined ? 'spawn' : single ? 'task' : 'tasks');
      if (fresh.length > 0) {
        supervisor.beginSchedule();
        try {
          send({ type: 'scheduler.schedule', batch: fresh });
        } finally {
          supervisor.endSchedule();
        }
      }
      // A race's alternatives are its children: the caller gets the ids of what it gave.
      return batch.filter((task) => task.parent === spawn?.parent).map((task) => task.id);
    } catch (error) {
      idCounter = before;
      throw error;
    }
  };

  return {
    scheduleTask: (spec) => scheduleBatch([spec], true)[0] as string,
    scheduleTasks: (specs) => scheduleBatch(specs, false),
    executeTask: (id) => {
      if (!supervisor.canExecute(id)) return false;
      send({ type: 'scheduler.execute', id });
      return true;
    },
    cancelTask: (id, reason = 'cancelled by request') => {
      if (typeof reason !== 'string') {
        throw new TaskSchedulingError(`reason: expected a string, received ${describeValue(reason)}`, 'reason');
      }
      const status = supervisor.record(id).status;
      if (status !== 'pending' && status !== 'running') return false;
      send({ type: 'scheduler.cancel', id, reason });
      return true;
    },
    getTaskStatus: (id) => supervisor.record(id).status,
    getTask: (id) => supervisor.record(id),
    hasTask: (id) => supervisor.has(id),
    listTasks: () => supervisor.ids().map((id) => supervisor.record(id)),
    updateTaskPriority: (id, priority) => {
      const value = parsePriority(priority, 'priority');
      if (!supervisor.acceptsPriority(id)) return false;
      send({ type: 'scheduler.priority', id, priority: value });
      return true;
    },
    explainTask: (id) => supervisor.explain(id),
    getQueue: (limit = 50) => supervisor.queue(integerOption(limit, 'getQueue.limit', 50, 0)),
    getStats: () => supervisor.stats(),
    waitForTask: (id) => supervisor.waitFor(id),
    onIdle: () => supervisor.onIdle(),
    pause: () => send({ type: 'scheduler.pause' }),
    resume: () => send({ type: 'scheduler.resume' }),
    stop: async (stopOptions = {}) => {
      const graceMs = numberOption(stopOptions.graceMs, 'stop.graceMs', 5000);
      // With a store, stopping leaves the run as it was there, to be resumed: nothing is cancelled
      // in it, and the attempts this stop cuts short are handed back (they were not the work's fault).
      if (!supervisor.isStopped) supervisor.recordStopped(clock.now());
      journal?.detach();
      if (!supervisor.isStopped) send({ type: 'scheduler.stop', reason: 'scheduler stopped' });
      await drain(executor, graceMs);
      supervisor.flush();
      actor.stop();
      // Timers of task actors that never got to end (work that ignored its signal): a stopped
      // scheduler holds no timer that keeps the process alive.
      clock.clear();
    },
    get recovered() {
      return recovered;
    },
    events,
    actor,
  };
}
