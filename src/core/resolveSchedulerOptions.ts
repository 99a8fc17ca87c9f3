import { InvalidOptionsError, ResourceAllocationError } from '../errors.js';
import { describeValue } from '../internal/describeValue.js';
import { capacityProblem, type ResourceAmounts } from '../internal/ResourceLedger.js';
import { didYouMean } from '../internal/didYouMean.js';
import { POLICY_NAMES, resolvePolicy } from '../policies/resolvePolicy.js';
import type { PolicyName, RetryOptions, SchedulerClock, SchedulingPolicy, TaskRun } from '../types.js';
import type { SchedulerOptions } from './SchedulerOptions.js';

/** Retry defaults: the reference design's `retry_attempts: 3` means three retries, four runs. */
export const DEFAULT_RETRY: Required<RetryOptions> = Object.freeze({
  attempts: 4,
  backoffMs: 1000,
  backoffFactor: 2,
  maxBackoffMs: 60_000,
});

/** Crash interruptions a task may have before it fails, when neither it nor the scheduler says. */
export const DEFAULT_MAX_INTERRUPTIONS = 3;

/** Every option `createScheduler` knows; anything else is refused with a did-you-mean. */
const KNOWN_OPTIONS: readonly (keyof SchedulerOptions)[] = [
  'maxWorkers',
  'resources',
  'handlers',
  'defaultTimeoutMs',
  'defaultRetry',
  'maxInterruptions',
  'maxChildren',
  'speculate',
  'maxDependencyDepth',
  'dependencyTimeoutMs',
  'defaultPriority',
  'autoStart',
  'maxFinishedRecords',
  'liveActorLimit',
  'policy',
  'policyOptions',
  'inspect',
  'clock',
  'executor',
  'store',
  'history',
  'estimates',
];

function fail(field: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(`options.${field}: expected ${expected}, received ${describeValue(value)}`, `options.${field}`);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An integer >= `min`, or `fallback` when undefined. */
export function integerOption(value: unknown, field: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) fail(field, `an integer >= ${min}`, value);
  return value;
}

/** A finite number >= `min`, or `fallback` when undefined. */
export function numberOption(value: unknown, field: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(field, `a finite number >= ${min}`, value);
  return value;
}

function booleanOption(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(field, 'true or false', value);
  return value;
}

/** Refuses anything but a plain object, and keys no option has. */
export function checkOptionKeys(options: unknown): asserts options is SchedulerOptions {
  if (!isRecord(options)) {
    throw new InvalidOptionsError(`options: expected an object, received ${describeValue(options)}`, 'options');
  }
  for (const key of Object.keys(options)) {
    if ((KNOWN_OPTIONS as readonly string[]).includes(key)) continue;
    const hint = didYouMean(key, KNOWN_OPTIONS);
    throw new InvalidOptionsError(
      `options.${key}: unknown option; expected one of ${KNOWN_OPTIONS.join(', ')}${hint ? ` (${hint})` : ''}`,
      `options.${key}`,
    );
  }
}

/** The work functions by type, each checked to be a function. */
export function resolveHandlers(value: unknown): Readonly<Record<string, TaskRun<any>>> {
  if (value === undefined) return {};
  if (!isRecord(value)) fail('handlers', 'an object of functions by task type', value);
  // A null prototype: a type named "toString" must not find Object.prototype.toString.
  const handlers: Record<string, TaskRun<any>> = Object.create(null);
  for (const [type, handler] of Object.entries(value)) {
    if (typeof handler !== 'function') fail(`handlers.${type}`, 'a function', handler);
    handlers[type] = handler as TaskRun<any>;
  }
  return handlers;
}

/** `defaultRetry` with every field checked as the task-level fields are. */
export function resolveRetry(value: unknown): Required<RetryOptions> {
  if (value === undefined) return DEFAULT_RETRY;
  if (!isRecord(value)) fail('defaultRetry', 'an object { attempts, backoffMs, backoffFactor, maxBackoffMs }', value);
  return {
    attempts: integerOption(value['attempts'], 'defaultRetry.attempts', DEFAULT_RETRY.attempts),
    backoffMs: numberOption(value['backoffMs'], 'defaultRetry.backoffMs', DEFAULT_RETRY.backoffMs),
    backoffFactor: numberOption(value['backoffFactor'], 'defaultRetry.backoffFactor', DEFAULT_RETRY.backoffFactor, 1),
    maxBackoffMs: numberOption(value['maxBackoffMs'], 'defaultRetry.maxBackoffMs', DEFAULT_RETRY.maxBackoffMs),
  };
}

/** The pool capacities: a frozen copy, so changing the caller's object later changes nothing. */
export function resolveResources(value: unknown): Readonly<Record<string, number>> {
  if (!isRecord(value)) fail('resources', 'an object of pool capacities, e.g. { cpu: 4 }', value);
  return Object.freeze({ ...validateCapacity(value as Record<string, number>) });
}

/**
 * `speculate`, checked: the multiple of a task's bound (its learned p90 duration, else its
 * estimate) after which a running attempt of an idempotent task is backed up; undefined: off.
 *
 * @example
 * resolveSpeculate(2); // 2
 * resolveSpeculate(0); // throws: options.speculate: expected a finite number > 0 (...), received 0
 */
export function resolveSpeculate(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!isSpeculate(value)) fail('speculate', SPECULATE_EXPECTED, value);
  return value;
}

/** What `speculate` must be, in words: the one rule the API, the YAML and the CLI flag state. */
export const SPECULATE_EXPECTED = "a finite number > 0 (the multiple of a task's bound after which a running attempt is backed up)";

/** True for a valid `speculate`: the one rule the API, the YAML (`scheduler.speculate`) and `run --speculate` check. */
export const isSpeculate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/** `autoStart`, checked. */
export const resolveAutoStart = (value: unknown): boolean => booleanOption(value, 'autoStart', true);

/** The clock, checked to have the three functions the scheduler calls. */
export function resolveClock(value: unknown): SchedulerClock | undefined {
  if (value === undefined) return undefined;
  const clock = value as Partial<SchedulerClock> | null;
  if (
    typeof clock !== 'object' ||
    clock === null ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function' ||
    typeof clock.now !== 'function'
  ) {
    fail('clock', 'an object with setTimeout, clearTimeout and now functions', value);
  }
  return clock as SchedulerClock;
}

/** The executor, the store and the history, checked to have the methods the supervisor calls. */
export function checkSeams(options: SchedulerOptions): void {
  const seams = [
    ['executor', ['start', 'abort', 'onSettled']],
    ['store', ['addTasks', 'record', 'forget', 'load']],
    ['history', ['close']],
    ['estimates', ['estimate', 'recommend', 'observe']],
  ] as const;
  for (const [key, methods] of seams) {
    const value = options[key] as unknown as Record<string, unknown> | undefined;
    if (value === undefined) continue;
    if (!isRecord(value) || methods.some((method) => typeof value[method] !== 'function')) {
      fail(key, `an object with ${methods.join(', ')} functions`, value);
    }
  }
  // Read once, when the supervisor is built: a truthy non-boolean would be a silent guess.
  if (options.executor !== undefined) booleanOption(options.executor.reportsActive, 'executor.reportsActive', false);
}

/** The inspection observer: a function or an object with observer methods. */
export function checkInspect(value: unknown): void {
  if (value === undefined || typeof value === 'function') return;
  const observer = value as Record<string, unknown> | null;
  const isObserver =
    isRecord(observer) && ['next', 'error', 'complete'].some((key) => typeof observer[key] === 'function');
  if (!isObserver) fail('inspect', 'a function or an observer object { next, error, complete }', value);
}

function checkPolicyOptions(value: unknown): void {
  if (value === undefined) return;
  if (!isRecord(value)) fail('policyOptions', 'an object { priorityBoost, agingIntervalMs, backfill, groupWeights }', value);
  numberOption(value['priorityBoost'], 'policyOptions.priorityBoost', 0);
  numberOption(value['agingIntervalMs'], 'policyOptions.agingIntervalMs', 0);
  booleanOption(value['backfill'], 'policyOptions.backfill', false);
  const weights = value['groupWeights'];
  if (weights === undefined) return;
  if (!isRecord(weights)) fail('policyOptions.groupWeights', 'an object of weights by group', weights);
  for (const [group, weight] of Object.entries(weights)) {
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
      fail(`policyOptions.groupWeights.${group}`, 'a finite number > 0', weight);
    }
  }
}

const POLICY_EXPECTED = `one of ${POLICY_NAMES.join(', ')} or a SchedulingPolicy object { name, createQueue }`;

/** The policy: a built-in name with its checked options, or a custom policy object. */
export function resolveSchedulerPolicy(policy: unknown, policyOptions: unknown): SchedulingPolicy {
  checkPolicyOptions(policyOptions);
  if (policy === undefined || typeof policy === 'string') {
    const name = policy ?? 'priority';
    if (!(POLICY_NAMES as readonly string[]).includes(name)) fail('policy', POLICY_EXPECTED, policy);
    try {
      return resolvePolicy(name as PolicyName, (policyOptions ?? {}) as SchedulerOptions['policyOptions']);
    } catch (error) {
      // The built-in policy refused an option: name it, with the policy's own words.
      const field = error instanceof InvalidOptionsError ? `options.policyOptions.${error.field}` : 'options.policyOptions';
      throw new InvalidOptionsError(`${field}: ${(error as Error).message}`, field);
    }
  }
  const candidate = policy as Partial<SchedulingPolicy> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.name !== 'string' ||
    typeof candidate.createQueue !== 'function'
  ) {
    fail('policy', POLICY_EXPECTED, policy);
  }
  for (const hook of ['onStart', 'onFinish'] as const) {
    if (candidate[hook] !== undefined && typeof candidate[hook] !== 'function') fail(`policy.${hook}`, 'a function', candidate[hook]);
  }
  return candidate as SchedulingPolicy;
}

/**
 * Throws a {@link ResourceAllocationError} unless every pool capacity is a finite number >= 0;
 * returns the capacities so a caller can check and use them in one expression.
 *
 * @example
 * new ResourceLedger(validateCapacity(options.resources ?? DEFAULT_RESOURCES));
 */
export function validateCapacity(capacity: ResourceAmounts): ResourceAmounts {
  const problem = capacityProblem(capacity);
  if (problem !== undefined) throw new ResourceAllocationError(problem.message, problem);
  return capacity;
}
