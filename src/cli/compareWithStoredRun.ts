import { canonicalJson } from '../internal/canonicalJson.js';
import { parsePriority } from '../normalizeTaskSpec.js';
import type { StoredTask } from '../stores/TaskStore.js';
import type { TaskSpec } from '../types.js';

/** The fields of a workload task the stored run must agree on, as the store keeps them. */
function fieldsOf(spec: TaskSpec, stored: StoredTask): [string, unknown, unknown][] {
  return [
    ['type', stored.type, spec.type ?? 'generic'],
    ['priority', stored.priority, spec.priority === undefined ? stored.priority : parsePriority(spec.priority, 'priority')],
    ['dependencies', stored.dependencies, spec.dependencies ?? []],
    ['resources', stored.resources, spec.resources ?? {}],
    ['config', stored.config, spec.config ?? {}],
    ['timeout', stored.timeoutMs, spec.timeoutMs ?? stored.timeoutMs],
    ['retries', stored.retry.attempts - 1, (spec.retry?.attempts ?? stored.retry.attempts) - 1],
    ['estimate', stored.estimateMs, spec.estimateMs],
    ['group', stored.group, spec.group ?? 'default'],
  ];
}

/**
 * How a workload differs from the run stored for it: a task whose fields changed, or a task the
 * run holds that the workload no longer has. Tasks the workload adds are not a conflict: they are
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
      differences.push(`task "${task.id}" is in the stored run but not in the workload`);
      continue;
    }
    for (const [field, was, is] of fieldsOf(spec, task)) {
      const [a, b] = [canonicalJson(was), canonicalJson(is)];
      if (a !== b) differences.push(`task "${task.id}": ${field} differs (stored ${a}, workload ${b})`);
    }
  }
  return differences;
}
