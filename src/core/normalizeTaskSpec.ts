import { ResourceAllocationError, TaskSchedulingError } from '../errors.js';
import { describeValue } from '../internal/describeValue.js';
import { didYouMean } from '../internal/didYouMean.js';
import type { ResourceLedger } from '../internal/ResourceLedger.js';
import { TaskPriority, type EstimateSource, type RetryOptions, type TaskPriorityInput, type TaskRun, type TaskSpec } from '../types.js';
import { toCachePlan, type TaskCachePlan } from '../history/TaskCachePlan.js';
import { DEFAULT_ESTIMATE_MS } from '../estimates/LearnedEstimates.js';
import type { UsageLearner } from '../usageTypes.js';
import { autoProblem, resolveAutoRequests, type ResourceRequest } from '../estimates/resolveAutoRequests.js';

/** A task spec checked and completed with defaults. */
export interface NormalizedTask {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly priority: TaskPriority;
  readonly dependencies: readonly string[];
  readonly resources: Readonly<Record<string, number>>;
  readonly config: unknown;
  readonly run: TaskRun<any>;
  /** True when the spec gave its own `run` (a closure no store can keep). */
  readonly hasOwnRun: boolean;
  readonly timeoutMs: number;
  readonly retry: Required<RetryOptions>;
  /** Crash interruptions a resumed run tolerates before the task fails (see TaskSpec.maxInterruptions). */
  readonly maxInterruptions: number;
  /** The estimate the task declared (what a store keeps). */
  readonly estimateMs: number | undefined;
  /** The estimate it is planned with: the declared one, else the learned one; undefined without either. */
  readonly plannedEstimateMs: number | undefined;
  readonly estimateSource: EstimateSource | undefined;
  /** What it runs, for the history (see `TaskSpec.runs`). */
  readonly runs: string;
  /** `memoryLimit: 'enforce'`: work that measures itself is killed past its memory request plus the margin. */
  readonly enforceMemory: boolean;
  /** The pools it asked `'auto'` of (their amounts in `resources` are what the history recommended). */
  readonly autoResources: readonly string[];
  readonly group: string;
  /** How it is keyed in the history, when it is cacheable (it gives `inputs` or `cacheKey`). */
  readonly cache: TaskCachePlan | undefined;
  /** Running two attempts at once is harmless (`speculate` may). */
  readonly idempotent: boolean;
  /** The task that spawned it, or whose race it is an alternative of. */
  readonly parent: string | undefined;
  /** For a race: its alternatives' ids (they follow it in the batch); undefined otherwise. */
  readonly race: readonly string[] | undefined;
}

/** What normalizing needs from the scheduler. */
export interface NormalizeDefaults {
  readonly defaultPriority: TaskPriority;
  readonly defaultTimeoutMs: number;
  readonly defaultRetry: Required<RetryOptions>;
  readonly maxInterruptions: number;
  readonly handlers: Readonly<Record<string, TaskRun<any>>>;
  readonly ledger: ResourceLedger;
  readonly newId: () => string;
  /** What past runs learned: estimates for tasks that give none, `'auto'` requests. */
  readonly learned?: UsageLearner | undefined;
  /** Pool capacities, bounding `'auto'` requests. */
  readonly capacity?: Readonly<Record<string, number>>;
  /** Most children one task may have (see SchedulerOptions.maxChildren). */
  readonly maxChildren: number;
}

/** The default of SchedulerOptions.maxChildren. */
export const DEFAULT_MAX_CHILDREN = 10_000;

// Shared, frozen defaults: a batch of 300k bare tasks should not allocate 600k empty objects.
// (config stays one object per task: work may write to its own.)
const NO_DEPENDENCIES: readonly string[] = Object.freeze([]);
const NO_RESOURCES: Readonly<Record<string, number>> = Object.freeze({});

const PRIORITY_BY_NAME: Readonly<Record<string, TaskPriority>> = {
  lowest: TaskPriority.LOWEST,
  low: TaskPriority.LOW,
  normal: TaskPriority.NORMAL,
  high: TaskPriority.HIGH,
  highest: TaskPriority.HIGHEST,
};

/**
 * Reads a priority given as a level (1-5) or a lower-case name, or throws a TaskSchedulingError
 * naming `field`.
 *
 * @example
 * parsePriority('high', 'priority'); // 4
 */
export function parsePriority(value: unknown, field: string): TaskPriority {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5) {
    return value as TaskPriority;
  }
  if (typeof value === 'string' && Object.hasOwn(PRIORITY_BY_NAME, value)) return PRIORITY_BY_NAME[value] as TaskPriority;
  throw new TaskSchedulingError(
    `${field}: expected 1-5 or one of lowest, low, normal, high, highest; received ${describeValue(value)}`,
    field,
  );
}

function fail(field: string, expected: string, value: unknown): never {
  throw new TaskSchedulingError(`${field}: expected ${expected}, received ${describeValue(value)}`, field);
}

/**
 * The field a problem names: `at`'s `key` (`tasks[3]` and `retry.attempts` name
 * `tasks[3].retry.attempts`), or `at` itself. Joined only for a message: a valid task builds none.
 */
function fieldName(at: string, key: string | undefined): string {
  return key === undefined ? at : `${at}.${key}`;
}

function optionalNumber(value: unknown, at: string, key: string, min: number, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    fail(fieldName(at, key), `${integer ? 'an integer' : 'a finite number'} >= ${min}`, value);
  }
  return value;
}

function optionalString(value: unknown, at: string, key: string | undefined, fallback: string, visible = false): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) fail(fieldName(at, key), 'a non-empty string', value);
  // A name of only spaces prints as nothing in every table and log line.
  if (visible && !/\S/.test(value)) fail(fieldName(at, key), 'a string with a character other than spaces', value);
  return value;
}

/** What every id the scheduler makes starts with, and a chosen id may not (`#1`, `#2`, ...). */
export const GENERATED_ID_PREFIX = '#';

function chosenId(value: unknown, field: string): string {
  const id = optionalString(value, field, undefined, '');
  if (id.startsWith(GENERATED_ID_PREFIX)) {
    fail(field, `an id that does not start with "${GENERATED_ID_PREFIX}" (ids the scheduler makes start with it)`, value);
  }
  return id;
}

/** What a task runs, for the history: any string, '' included. */
function runsOf(value: unknown, at: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') fail(fieldName(at, 'runs'), 'a string', value);
  return value;
}

function memoryLimit(value: unknown, field: string, resources: Readonly<Record<string, number>> | undefined): boolean {
  if (value !== 'enforce') fail(field, "'enforce'", value);
  // Nothing to hold the task to: a limit of 0 would kill every attempt at its first sample.
  if (!((resources?.['memory'] ?? 0) > 0)) fail(field, "'enforce' beside a memory request (resources.memory > 0 or 'auto')", `'enforce' with resources.memory ${resources?.['memory'] ?? 'absent'}`);
  return true;
}

/**
 * A declared estimate wins; else, with a history, the learned one (`'auto'` asks for it even
 * when nothing is known: the default then); else none.
 */
const NO_ESTIMATE = Object.freeze({ plannedEstimateMs: undefined, estimateSource: undefined });

function plannedEstimate(
  declared: number | undefined,
  isAuto: boolean,
  identity: { name: string; runs: string; type: string },
  learned: UsageLearner | undefined,
): { plannedEstimateMs: number | undefined; estimateSource: EstimateSource | undefined } {
  if (declared !== undefined) return { plannedEstimateMs: declared, estimateSource: 'declared' };
  if (learned === undefined) {
    return isAuto ? { plannedEstimateMs: DEFAULT_ESTIMATE_MS, estimateSource: 'default' } : NO_ESTIMATE;
  }
  const estimate = learned.estimate(identity);
  return { plannedEstimateMs: estimate.ms, estimateSource: estimate.source };
}

/**
 * Checks one task spec and fills in defaults. Throws TaskSchedulingError (or
 * ResourceAllocationError for resources) naming the field, what was expected and what was
 * received. `field` is the spec's place in the call, e.g. `tasks[2]`.
 */
export function normalizeTaskSpec(spec: TaskSpec<any>, field: string, defaults: NormalizeDefaults, parent?: string): NormalizedTask {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) fail(field, 'a task object', spec);
  const id = spec.id === undefined ? defaults.newId() : chosenId(spec.id, `${field}.id`);
  return normalizeWithId(spec, id, field, defaults, parent, undefined);
}

/**
 * Checks a batch of task specs, as {@link normalizeTaskSpec} does each, and expands every race
 * into itself followed by its alternatives (children of it that inherit its dependencies), so a
 * race is admitted, journaled and refused as one batch. `field(i)` names the spec's place.
 *
 * @example
 * normalizeTaskSpecs([{ id: 'goal', race: [{ type: 'z3' }, { type: 'vampire' }] }], (i) => `tasks[${i}]`, defaults);
 * // goal, goal/0, goal/1
 */
export function normalizeTaskSpecs(specs: readonly TaskSpec<any>[], field: (i: number) => string, defaults: NormalizeDefaults, parent?: string): NormalizedTask[] {
  const batch: NormalizedTask[] = [];
  specs.forEach((spec, i) => {
    const at = field(i);
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec) || spec.race === undefined) {
      batch.push(normalizeTaskSpec(spec, at, defaults, parent));
      return;
    }
    batch.push(...normalizeRace(spec, at, defaults, parent));
  });
  return batch;
}

/** A race never runs work of its own: this stands where its work would be, and says so if called. */
export const RACE_HAS_NO_WORK: TaskRun<any> = (ctx) => {
  throw new TaskSchedulingError(`task "${ctx.task.id}" is a race: it has no work of its own`, 'race');
};

function normalizeRace(spec: TaskSpec<any>, field: string, defaults: NormalizeDefaults, parent: string | undefined): NormalizedTask[] {
  const alternatives = spec.race;
  if (!Array.isArray(alternatives) || alternatives.length < 2) {
    fail(`${field}.race`, 'a list of at least two alternative task specs', alternatives);
  }
  if (alternatives.length > defaults.maxChildren) {
    fail(`${field}.race`, `at most maxChildren (${defaults.maxChildren}) alternatives`, alternatives.length);
  }
  for (const key of ['run', 'type', 'config'] as const) {
    if (spec[key] !== undefined) fail(`${field}.${key}`, `nothing: a race has no work of its own (its alternatives have)`, spec[key]);
  }
  const id = spec.id === undefined ? defaults.newId() : chosenId(spec.id, `${field}.id`);
  const alternativeIds = alternatives.map((alt, i) =>
    typeof alt === 'object' && alt !== null && (alt as TaskSpec).id !== undefined ? chosenId((alt as TaskSpec).id, `${field}.race[${i}].id`) : `${id}/${i}`,
  );
  const { race: _alternatives, ...own } = spec;
  const self = normalizeWithId(own, id, field, { ...defaults, handlers: { generic: RACE_HAS_NO_WORK } }, parent, alternativeIds);
  const children = alternatives.map((alt, i) => {
    if (typeof alt === 'object' && alt !== null && (alt as TaskSpec).race !== undefined) fail(`${field}.race[${i}].race`, 'an alternative without a race of its own', (alt as TaskSpec).race);
    const child = normalizeTaskSpec({ ...alt, id: alternativeIds[i] as string }, `${field}.race[${i}]`, defaults, id);
    // Ready no sooner than the race: they inherit what it waits for.
    const dependencies = self.dependencies.length === 0 ? child.dependencies : [...new Set([...self.dependencies, ...child.dependencies])];
    return { ...child, dependencies };
  });
  return [self, ...children];
}

/** The fields of a `TaskSpec`, in the order its documentation gives them. */
const TASK_FIELDS = [
  'id', 'name', 'type', 'priority', 'dependencies', 'resources', 'memoryLimit', 'config', 'run', 'timeoutMs', 'retry', 'estimateMs',
  'runs', 'group', 'inputs', 'outputs', 'envInputs', 'cacheKey', 'cache', 'baseDir', 'maxInterruptions', 'race', 'idempotent',
] as const;
const TASK_FIELD_SET: ReadonlySet<string> = new Set(TASK_FIELDS);
const RETRY_FIELDS = ['attempts', 'backoffMs', 'backoffFactor', 'maxBackoffMs'] as const;
const RETRY_FIELD_SET: ReadonlySet<string> = new Set(RETRY_FIELDS);

/**
 * Refuses a key `known` does not hold (a typo such as `timeout` would otherwise be dropped, and
 * the task run with the default), naming it, the fields known and the one meant.
 */
function refuseUnknownKeys(value: object, known: ReadonlySet<string>, field: string, what: string): void {
  for (const key in value) {
    if (known.has(key) || !Object.hasOwn(value, key)) continue;
    const hint = didYouMean(key, known);
    throw new TaskSchedulingError(`${field}.${key}: unknown ${what} field; expected one of ${[...known].join(', ')}${hint === undefined ? '' : ` (${hint})`}`, `${field}.${key}`);
  }
}

function normalizeWithId(
  spec: TaskSpec<any>,
  id: string,
  field: string,
  defaults: NormalizeDefaults,
  parent: string | undefined,
  race: readonly string[] | undefined,
): NormalizedTask {
  refuseUnknownKeys(spec, TASK_FIELD_SET, field, 'task');
  if (spec.race !== undefined) fail(`${field}.race`, 'no race here (a race is a task of its own in the batch)', spec.race);
  if (spec.idempotent !== undefined && typeof spec.idempotent !== 'boolean') fail(`${field}.idempotent`, 'true or false', spec.idempotent);
  const type = optionalString(spec.type, field, 'type', 'generic');
  const run = spec.run ?? (Object.hasOwn(defaults.handlers, type) ? defaults.handlers[type] : undefined);
  if (spec.run !== undefined && typeof spec.run !== 'function') fail(`${field}.run`, 'a function', spec.run);
  if (run === undefined) {
    throw new TaskSchedulingError(
      `${field}.run: task "${id}" has no run function and no handler is registered for type "${type}"` +
        ` (registered: ${Object.keys(defaults.handlers).join(', ') || 'none'})`,
      `${field}.run`,
    );
  }
  const dependencies = spec.dependencies ?? [];
  if (!Array.isArray(dependencies)) fail(`${field}.dependencies`, 'an array of task ids', dependencies);
  for (let i = 0; i < dependencies.length; i++) {
    const dep: unknown = dependencies[i];
    if (typeof dep !== 'string' || dep.length === 0) fail(`${field}.dependencies[${i}]`, 'a task id string', dep);
  }
  const name = optionalString(spec.name, field, 'name', id, true);
  const runs = runsOf(spec.runs, field);
  const identity = { name, runs, type };
  const auto = autoProblem(spec.resources);
  if (auto !== undefined) fail(`${field}.resources.${auto}`, "a number ('auto' is learned only for memory and cpu)", 'auto');
  // Only a mapping can ask for 'auto'; anything else goes to validateResources as it is, to be refused by name.
  const isMapping = typeof spec.resources === 'object' && spec.resources !== null && !Array.isArray(spec.resources);
  const requested: unknown = isMapping ? resolveAutoRequests(spec.resources as ResourceRequest, identity, defaults.learned, defaults.capacity ?? {}) : spec.resources;
  validateResources(defaults.ledger, requested, `${field}.resources`);
  const resources = requested as Readonly<Record<string, number>> | undefined;
  const declared = spec.estimateMs === undefined || spec.estimateMs === 'auto' ? undefined : optionalNumber(spec.estimateMs, field, 'estimateMs', 0, 0);
  const retry = spec.retry ?? {};
  if (typeof retry !== 'object' || retry === null) fail(`${field}.retry`, 'an object', retry);
  refuseUnknownKeys(retry, RETRY_FIELD_SET, `${field}.retry`, 'retry');
  const planned = plannedEstimate(declared, spec.estimateMs === 'auto', identity, defaults.learned);
  return {
    id,
    name,
    type,
    priority: spec.priority === undefined ? defaults.defaultPriority : parsePriority(spec.priority, `${field}.priority`),
    dependencies: dependencies.length === 0 ? NO_DEPENDENCIES : [...new Set(dependencies)],
    // A copy: the caller changing its object later must not change what the pools account.
    resources: resources === undefined ? NO_RESOURCES : Object.freeze({ ...resources }),
    config: spec.config ?? {},
    run,
    hasOwnRun: spec.run !== undefined,
    timeoutMs: optionalNumber(spec.timeoutMs, field, 'timeoutMs', 0, defaults.defaultTimeoutMs),
    retry: {
      attempts: optionalNumber(retry.attempts, field, 'retry.attempts', 1, defaults.defaultRetry.attempts, true),
      backoffMs: optionalNumber(retry.backoffMs, field, 'retry.backoffMs', 0, defaults.defaultRetry.backoffMs),
      backoffFactor: optionalNumber(retry.backoffFactor, field, 'retry.backoffFactor', 1, defaults.defaultRetry.backoffFactor),
      maxBackoffMs: optionalNumber(retry.maxBackoffMs, field, 'retry.maxBackoffMs', 0, defaults.defaultRetry.maxBackoffMs),
    },
    maxInterruptions: optionalNumber(spec.maxInterruptions, field, 'maxInterruptions', 0, defaults.maxInterruptions, true),
    estimateMs: declared,
    plannedEstimateMs: planned.plannedEstimateMs,
    estimateSource: planned.estimateSource,
    runs,
    autoResources: spec.resources === undefined ? NO_DEPENDENCIES : Object.keys(spec.resources).filter((name) => spec.resources?.[name] === 'auto'),
    enforceMemory: spec.memoryLimit === undefined ? false : memoryLimit(spec.memoryLimit, `${field}.memoryLimit`, resources),
    group: optionalString(spec.group, field, 'group', 'default'),
    // Most tasks give none of the cache's fields: they cost one check each.
    cache: hasCacheFields(spec) ? toCachePlan(spec, run, field) : undefined,
    idempotent: spec.idempotent === true,
    parent,
    race,
  };
}

function hasCacheFields(spec: TaskSpec<any>): boolean {
  return spec.inputs !== undefined || spec.cacheKey !== undefined || spec.cache !== undefined || spec.outputs !== undefined || spec.envInputs !== undefined || spec.baseDir !== undefined;
}

/** Reads a priority input without a field name (for `updateTaskPriority`). */
export function toPriority(value: TaskPriorityInput): TaskPriority {
  return parsePriority(value, 'priority');
}

/**
 * Throws a {@link ResourceAllocationError} if a task's resource request can never be granted by
 * the ledger's pools: an unknown resource name, an amount that is not a finite number >= 0, or
 * more than a pool's capacity. `field` prefixes the message.
 *
 * @example
 * validateResources(ledger, spec.resources, 'tasks[3].resources');
 * // ResourceAllocationError: tasks[3].resources.gpu: unknown resource; expected one of cpu, memory
 */
export function validateResources(ledger: ResourceLedger, request: unknown, field = 'resources'): void {
  const problem = ledger.problemWith(request, field);
  if (problem !== undefined) throw new ResourceAllocationError(problem.message, problem);
}
