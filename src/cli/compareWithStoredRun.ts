import { realpathSync } from 'node:fs';
import type { TaskRunDescriptor } from '../config/workloadTypes.js';
import { canonicalJson } from '../internal/canonicalJson.js';
import { parsePriority } from '../core/normalizeTaskSpec.js';
import type { StoredTask } from '../core/TaskStore.js';
import type { TaskSpec } from '../types.js';

/** A request with each `auto` amount replaced by what the stored run resolved it to. */
function asStored(request: Readonly<Record<string, number | 'auto'>>, stored: Readonly<Record<string, number>>): Readonly<Record<string, number | 'auto'>> {
  return Object.fromEntries(Object.entries(request).map(([name, amount]) => [name, amount === 'auto' ? (stored[name] ?? amount) : amount]));
}

/** The fields of a workload task the stored run must agree on, as the store keeps them. */
function fieldsOf(spec: TaskSpec, stored: StoredTask): [string, unknown, unknown][] {
  return [
    ['type', stored.type, spec.type ?? 'generic'],
    ['priority', stored.priority, spec.priority === undefined ? stored.priority : parsePriority(spec.priority, 'priority')],
    ['dependencies', stored.dependencies, spec.dependencies ?? []],
    // `auto` was resolved from the history when the run was stored: it agrees with what was stored.
    ['resources', stored.resources, asStored(spec.resources ?? {}, stored.resources)],
    ['config', stored.config, spec.config ?? {}],
    ['timeout', stored.timeoutMs, spec.timeoutMs ?? stored.timeoutMs],
    ['retries', stored.retry.attempts - 1, (spec.retry?.attempts ?? stored.retry.attempts) - 1],
    // A store written before max_interruptions existed holds none: the workload's applies.
    ['max_interruptions', stored.maxInterruptions ?? spec.maxInterruptions, spec.maxInterruptions ?? stored.maxInterruptions],
    ['estimate', stored.estimateMs, spec.estimateMs === 'auto' ? undefined : spec.estimateMs],
    ['group', stored.group, spec.group ?? 'default'],
  ];
}

/**
 * How a workload differs from the run stored for it: a task whose fields changed, or a task the
 * run holds that the workload no longer has (`specs` hold the spawned children made again from
 * the store too, see `openRunState`). Tasks the workload adds are not a conflict: they are
 * scheduled into the resumed run. Empty when the run can be resumed.
 *
 * @example
 * compareWithStoredRun(toTaskSpecs(workload), store.load().map((state) => state.task));
 * // ['task "prove": config differs (stored {"depth":2}, workload {"depth":3})']
 */
export function compareWithStoredRun(specs: readonly TaskSpec[], stored: readonly StoredTask[]): string[] {
  const byId = new Map(specs.map((spec) => [spec.id as string, spec]));
  const differences: string[] = [];
  for (const task of stored) {
    const spec = byId.get(task.id);
    if (spec === undefined) {
      // A race's alternatives are compared with their race (its spec lists them).
      if (task.parent !== undefined && byId.get(task.parent)?.race !== undefined) continue;
      differences.push(
        task.parent === undefined
          ? `task "${task.id}" is in the stored run but not in the workload`
          : `task "${task.id}" was spawned by "${task.parent}" (XENO_SPAWN_FILE) in the stored run, which kept nothing of what it runs (an older xeno-scheduler wrote it): it cannot run again`,
      );
      continue;
    }
    for (const [field, was, is] of fieldsOf(spec, task)) {
      const [a, b] = [canonicalJson(was), canonicalJson(is)];
      if (a !== b) differences.push(`task "${task.id}": ${field} differs (stored ${a}, workload ${b})`);
    }
  }
  return differences;
}

/** What each task of a run runs, by task id: what a resumed run must agree on besides the spec. */
export type RunWork = Readonly<Record<string, TaskRunDescriptor>>;

/** The YAML keys of a run descriptor, as a workload file spells them. */
function workFields(work: TaskRunDescriptor): [string, unknown][] {
  return work.kind === 'command'
    ? [['command', work.command]]
    : [['module', work.module], ['export', work.export], ['worker', work.worker]];
}

/** A module's path with symbolic links resolved (the same file read through a linked folder), or as given if it is gone. */
function realPath(path: unknown): unknown {
  try {
    return typeof path === 'string' ? realpathSync(path) : path;
  } catch {
    return path;
  }
}

/**
 * How what the workload runs differs from what the stored run ran, for the tasks in `ran` (those
 * that started an attempt): a changed command or module there would make the resumed run a mix of
 * two programs. A task that never ran may change what it runs. Tasks the store kept no work for
 * (a store written before it kept any) are not compared.
 *
 * @example
 * compareStoredWork({ prove: { kind: 'command', command: 'prove v2' } }, stored, new Set(['prove']));
 * // ['task "prove": command differs (stored "prove v1", workload "prove v2")']
 */
export function compareStoredWork(work: RunWork, stored: RunWork, ran: ReadonlySet<string>): string[] {
  const differences: string[] = [];
  for (const [id, was] of Object.entries(stored)) {
    const is = ran.has(id) && Object.hasOwn(work, id) ? work[id] : undefined;
    if (is === undefined) continue; // a task the workload lost is reported by compareWithStoredRun
    if (was.kind !== is.kind) {
      differences.push(`task "${id}": runs a ${is.kind} now (stored ${canonicalJson(Object.fromEntries(workFields(was)))}, workload ${canonicalJson(Object.fromEntries(workFields(is)))})`);
      continue;
    }
    const now = new Map(workFields(is));
    for (const [field, value] of workFields(was)) {
      const [a, b] = [canonicalJson(value), canonicalJson(now.get(field))];
      if (a !== b && !(field === 'module' && realPath(value) === realPath(now.get(field)))) differences.push(`task "${id}": ${field} differs (stored ${a}, workload ${b})`);
    }
  }
  return differences;
}
