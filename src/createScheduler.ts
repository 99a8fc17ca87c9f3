import mittModule, { type Emitter } from 'mitt';
import { createActor, type AnyActorLogic } from 'xstate';
import type { SchedulerEvents } from './events.js';
import { TaskSchedulingError } from './errors.js';
import { describeValue } from './internal/describeValue.js';
import { ResourceLedger } from './internal/ResourceLedger.js';
import { validateCapacity } from './validateCapacity.js';
import { realClock, TimerQueue } from './internal/TimerQueue.js';
import { normalizeTaskSpec, parsePriority, type NormalizeDefaults } from './normalizeTaskSpec.js';
import { POLICY_NAMES, resolvePolicy } from './policies/resolvePolicy.js';
import type { Scheduler } from './scheduler.js';
import { createSchedulerLogic, type SchedulerEvent } from './schedulerLogic.js';
import { SchedulerRuntime } from './SchedulerRuntime.js';
import type { RetryOptions, SchedulerOptions, SchedulingPolicy, TaskSpec } from './types.js';

// mitt ships CommonJS types whose default export NodeNext sees as the module object.
const mitt = mittModule as unknown as <T extends Record<string, unknown>>() => Emitter<T>;

/** The resource pools a scheduler has when none are given: the reference design's. */
export const DEFAULT_RESOURCES = Object.freeze({ cpu: 4, memory: 8, disk: 100, network: 1000 });

/** Retry defaults: the reference design's `retry_attempts: 3` means three retries, four runs. */
export const DEFAULT_RETRY: Required<RetryOptions> = Object.freeze({
  attempts: 4,
  backoffMs: 1000,
  backoffFactor: 2,
  maxBackoffMs: 60_000,
});

function positiveInteger(value: unknown, field: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TaskSchedulingError(`options.${field}: expected an integer >= ${min}, received ${describeValue(value)}`, `options.${field}`);
  }
  return value;
}

function nonNegative(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TaskSchedulingError(`options.${field}: expected a finite number >= 0, received ${describeValue(value)}`, `options.${field}`);
  }
  return value;
}

function choosePolicy(options: SchedulerOptions): SchedulingPolicy {
  try {
    return resolvePolicy(options.policy ?? 'priority', options.policyOptions ?? {});
  } catch (error) {
    throw new TaskSchedulingError(
      `options.policy: expected one of ${POLICY_NAMES.join(', ')} or a SchedulingPolicy object, received ${describeValue(options.policy)}`,
      'options.policy',
    );
  }
}

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
  if (typeof options !== 'object' || options === null) {
    throw new TaskSchedulingError(`options: expected an object, received ${describeValue(options)}`, 'options');
  }
  const events: Emitter<SchedulerEvents> = mitt<SchedulerEvents>();
  const baseClock = options.clock ?? realClock;
  const clock = new TimerQueue(baseClock);
  const ledgerForChecks = new ResourceLedger(validateCapacity(options.resources ?? DEFAULT_RESOURCES));
  const retry = options.defaultRetry ?? {};
  const defaults: NormalizeDefaults = {
    defaultPriority: parsePriority(options.defaultPriority ?? 'normal', 'options.defaultPriority'),
    defaultTimeoutMs: nonNegative(options.defaultTimeoutMs, 'defaultTimeoutMs', 300_000),
    defaultRetry: {
      attempts: positiveInteger(retry.attempts, 'defaultRetry.attempts', DEFAULT_RETRY.attempts),
      backoffMs: nonNegative(retry.backoffMs, 'defaultRetry.backoffMs', DEFAULT_RETRY.backoffMs),
      backoffFactor: nonNegative(retry.backoffFactor, 'defaultRetry.backoffFactor', DEFAULT_RETRY.backoffFactor),
      maxBackoffMs: nonNegative(retry.maxBackoffMs, 'defaultRetry.maxBackoffMs', DEFAULT_RETRY.maxBackoffMs),
    },
    handlers: options.handlers ?? {},
    ledger: ledgerForChecks,
    newId: () => `task-${++idCounter}`,
  };
  let idCounter = 0;
  const runtime = new SchedulerRuntime({
    maxWorkers: positiveInteger(options.maxWorkers, 'maxWorkers', 4),
    resources: options.resources ?? DEFAULT_RESOURCES,
    maxDependencyDepth: positiveInteger(options.maxDependencyDepth, 'maxDependencyDepth', 10, 0),
    dependencyTimeoutMs: nonNegative(options.dependencyTimeoutMs, 'dependencyTimeoutMs', 600_000),
    autoStart: options.autoStart ?? true,
    maxFinishedRecords: positiveInteger(options.maxFinishedRecords, 'maxFinishedRecords', 10_000, 0),
    policy: choosePolicy(options),
    clock,
    events,
  });
  const actor = createActor(createSchedulerLogic(runtime) as AnyActorLogic, {
    clock,
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  // An error inside the supervisor is a bug in xeno-scheduler, not in a task; without an
  // observer XState rethrows it on a timer and crashes the process.
  let internalError: unknown;
  actor.subscribe({ error: (error) => (internalError = error) });
  const send = (event: SchedulerEvent): void => {
    actor.send(event);
    runtime.flush();
    if (internalError !== undefined) throw internalError;
  };
  runtime.requestPump = () => send({ type: 'scheduler.pump' });
  clock.onFired = () => runtime.flush();
  actor.start();

  const scheduleBatch = (specs: readonly TaskSpec<any>[], single: boolean): string[] => {
    if (runtime.isStopped) throw new TaskSchedulingError('the scheduler is stopped and accepts no tasks', 'scheduler');
    if (!Array.isArray(specs)) throw new TaskSchedulingError(`tasks: expected an array of task specs, received ${describeValue(specs)}`, 'tasks');
    const before = idCounter;
    try {
      const batch = specs.map((spec, i) => normalizeTaskSpec(spec, single ? 'task' : `tasks[${i}]`, defaults));
      runtime.checkBatch(batch);
      runtime.inScheduleCall = true;
      try {
        send({ type: 'scheduler.schedule', batch });
      } finally {
        runtime.inScheduleCall = false;
      }
      return batch.map((task) => task.id);
    } catch (error) {
      idCounter = before;
      throw error;
    }
  };

  return {
    scheduleTask: (spec) => scheduleBatch([spec], true)[0] as string,
    scheduleTasks: (specs) => scheduleBatch(specs, false),
    executeTask: (id) => {
      if (!runtime.canExecute(id)) return false;
      send({ type: 'scheduler.execute', id });
      return true;
    },
    cancelTask: (id, reason = 'cancelled by request') => {
      const status = runtime.record(id).status;
      if (status !== 'pending' && status !== 'running') return false;
      send({ type: 'scheduler.cancel', id, reason });
      return true;
    },
    getTaskStatus: (id) => runtime.record(id).status,
    getTask: (id) => runtime.record(id),
    hasTask: (id) => runtime.entries.has(id),
    listTasks: () => [...runtime.entries.keys()].map((id) => runtime.record(id)),
    updateTaskPriority: (id, priority) => {
      const value = parsePriority(priority, 'priority');
      if (runtime.record(id).status !== 'pending') return false;
      send({ type: 'scheduler.priority', id, priority: value });
      return true;
    },
    explainTask: (id) => runtime.explain(id),
    getQueue: (limit = 50) => runtime.readyQueue.ordered(limit),
    getStats: () => runtime.stats(),
    waitForTask: (id) => runtime.waitFor(id),
    onIdle: () => runtime.onIdle(),
    pause: () => send({ type: 'scheduler.pause' }),
    resume: () => send({ type: 'scheduler.resume' }),
    stop: async ({ graceMs = 5000 } = {}) => {
      if (!runtime.isStopped) send({ type: 'scheduler.stop', reason: 'scheduler stopped' });
      await runtime.drain(graceMs);
      runtime.flush();
      actor.stop();
    },
    events,
    actor,
  };
}
