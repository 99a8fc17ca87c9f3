import type { StoredTask } from '../../core/TaskStore.js';
import type { RetryOptions } from '../../types.js';
import { toJson } from './transitionRow.js';

/**
 * What a field left out of a spec row (schema version 5) stands for. These are the format's own
 * constants, fixed for every file: a scheduler whose defaults differ writes its values, and a
 * reader restores these whatever its own defaults are.
 */
const ROW_DEFAULTS = {
  priority: 3,
  timeoutMs: 300_000,
  maxInterruptions: 3,
  group: 'default',
  retry: { attempts: 4, backoffMs: 1000, backoffFactor: 2, maxBackoffMs: 60_000 } as Required<RetryOptions>,
} as const;

const RETRY_KEYS = ['attempts', 'backoffMs', 'backoffFactor', 'maxBackoffMs'] as const;

/** A number as JSON writes it (what JSON cannot hold, a NaN or an infinity, is `null`). */
function num(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null';
}

/** Whether `value` is a plain object with no keys of its own: `{}`, what a task without config or resources has. */
function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const _ in value) return false;
  return Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null;
}

/** The task's retry fields that differ from the row's defaults, as JSON, or '' when none do. */
function retryJson(retry: Required<RetryOptions>): string {
  let json = '';
  for (const key of RETRY_KEYS) {
    if (retry[key] === ROW_DEFAULTS.retry[key]) continue;
    json += `${json === '' ? '{' : ','}"${key}":${num(retry[key])}`;
  }
  return json === '' ? '' : `${json}}`;
}

/**
 * A task's `spec` column (schema version 5): JSON of the fields not already columns (`seq`, `id`)
 * and not at the row's defaults (name equal to the id, priority 3, no dependencies, no resources,
 * config `{}`, no `run` of its own, timeoutMs 300000, the default retry, maxInterruptions 3,
 * group `default`, and whatever is undefined); {@link fromSpecRow} puts them back. Built as a
 * string: no object per task, and `JSON.stringify` only for strings and the free-form fields.
 *
 * @example
 * toSpecRow({ id: 'a', name: 'a', type: 'noop', priority: 3, seq: 0, dependencies: [], resources: {}, config: {}, hasOwnRun: false,
 *   timeoutMs: 300000, retry: { attempts: 4, backoffMs: 1000, backoffFactor: 2, maxBackoffMs: 60000 }, maxInterruptions: 3,
 *   estimateMs: undefined, group: 'default', createdAt: 5, dependencyDeadline: undefined });
 * // '{"type":"noop","createdAt":5}'
 */
export function toSpecRow(task: StoredTask): string {
  let row = `{"type":${JSON.stringify(task.type)},"createdAt":${num(task.createdAt)}`;
  if (task.name !== task.id) row += `,"name":${JSON.stringify(task.name)}`;
  if (task.priority !== ROW_DEFAULTS.priority) row += `,"priority":${num(task.priority)}`;
  if (task.dependencies.length > 0) row += `,"dependencies":${toJson(task.dependencies)}`;
  if (!isEmptyObject(task.resources)) row += `,"resources":${toJson(task.resources)}`;
  // Only `{}` is left out (a config normalizing never makes, undefined, is written as null).
  if (!isEmptyObject(task.config)) row += `,"config":${toJson(task.config)}`;
  if (task.hasOwnRun) row += ',"hasOwnRun":true';
  if (task.timeoutMs !== ROW_DEFAULTS.timeoutMs) row += `,"timeoutMs":${num(task.timeoutMs)}`;
  const retry = retryJson(task.retry);
  if (retry !== '') row += `,"retry":${retry}`;
  // Undefined (a task of an older store, resumed and stored again) is kept as null: the resuming scheduler's then applies.
  if (task.maxInterruptions !== ROW_DEFAULTS.maxInterruptions) row += `,"maxInterruptions":${task.maxInterruptions === undefined ? 'null' : num(task.maxInterruptions)}`;
  if (task.estimateMs !== undefined) row += `,"estimateMs":${num(task.estimateMs)}`;
  if (task.group !== ROW_DEFAULTS.group) row += `,"group":${JSON.stringify(task.group)}`;
  if (task.dependencyDeadline !== undefined) row += `,"dependencyDeadline":${num(task.dependencyDeadline)}`;
  if (task.cache !== undefined) row += `,"cache":${toJson(task.cache)}`;
  if (task.parent !== undefined) row += `,"parent":${JSON.stringify(task.parent)}`;
  if (task.race !== undefined) row += `,"race":${toJson(task.race)}`;
  if (task.work !== undefined) row += `,"work":${toJson(task.work)}`;
  return `${row}}`;
}

/** A version 5 row's fields as JSON gives them back: every one may be left out but `type` and `createdAt`. */
type SpecRowFields = Partial<Record<keyof StoredTask, unknown>> & { readonly type: string; readonly createdAt: number };

/**
 * The task a `tasks` row holds. A row written before version 5 holds the whole `StoredTask`
 * (its `seq` among them) and is taken as it is; a version 5 row ({@link toSpecRow}) gets its
 * columns and the fields left out at their defaults back.
 *
 * @example
 * fromSpecRow(0, 'a', '{"type":"noop","createdAt":5}'); // { id: 'a', name: 'a', type: 'noop', priority: 3, seq: 0, ... }
 */
export function fromSpecRow(seq: number, id: string, spec: string): StoredTask {
  const fields = JSON.parse(spec) as SpecRowFields;
  if ('seq' in fields) return fields as unknown as StoredTask;
  const retry = fields.retry as Partial<Required<RetryOptions>> | undefined;
  const maxInterruptions = fields.maxInterruptions === undefined ? ROW_DEFAULTS.maxInterruptions : ((fields.maxInterruptions as number | null) ?? undefined);
  const task: { -readonly [K in keyof StoredTask]: StoredTask[K] } = {
    id,
    name: (fields.name as string | undefined) ?? id,
    type: fields.type,
    priority: (fields.priority as StoredTask['priority'] | undefined) ?? ROW_DEFAULTS.priority,
    seq,
    dependencies: (fields.dependencies as string[] | undefined) ?? [],
    resources: (fields.resources as Record<string, number> | undefined) ?? {},
    config: 'config' in fields ? fields.config : {},
    hasOwnRun: fields.hasOwnRun === true,
    timeoutMs: (fields.timeoutMs as number | undefined) ?? ROW_DEFAULTS.timeoutMs,
    retry: retry === undefined ? { ...ROW_DEFAULTS.retry } : { ...ROW_DEFAULTS.retry, ...retry },
    estimateMs: fields.estimateMs as number | undefined,
    group: (fields.group as string | undefined) ?? ROW_DEFAULTS.group,
    createdAt: fields.createdAt,
    dependencyDeadline: fields.dependencyDeadline as number | undefined,
  };
  if (maxInterruptions !== undefined) task.maxInterruptions = maxInterruptions;
  if (fields.cache !== undefined) task.cache = fields.cache as NonNullable<StoredTask['cache']>;
  if (fields.parent !== undefined) task.parent = fields.parent as string;
  if (fields.race !== undefined) task.race = fields.race as string[];
  if (fields.work !== undefined) task.work = fields.work;
  return task;
}
