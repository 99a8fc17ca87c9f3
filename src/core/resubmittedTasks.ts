import { TaskSchedulingError } from '../errors.js';
import { canonicalJson } from '../internal/canonicalJson.js';
import type { NormalizedTask } from './normalizeTaskSpec.js';
import type { TaskRun } from '../types.js';
import type { StoredTask } from './TaskStore.js';
import type { Journal } from './Journal.js';
import { MISSING_WORK } from './restoreRun.js';
import type { TaskEntry } from './TaskEntry.js';

/** The fields of a spec that must match for a resubmission to be the same task. */
function comparable(task: NormalizedTask | StoredTask): Record<string, unknown> {
  return {
    name: task.name,
    type: task.type,
    priority: task.priority,
    dependencies: task.dependencies,
    resources: task.resources,
    config: task.config,
    timeoutMs: task.timeoutMs,
    retry: task.retry,
    maxInterruptions: task.maxInterruptions,
    estimateMs: task.estimateMs,
    group: task.group,
  };
}

function pick(amounts: Readonly<Record<string, number>>, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.flatMap((name) => (amounts[name] === undefined ? [] : [[name, amounts[name]]])));
}

/** The first field where a resubmitted task differs from the stored one, with both values. */
export function differingField(given: NormalizedTask, stored: StoredTask): { field: string; stored: string; given: string } | undefined {
  const a = comparable(stored);
  // An `auto` request was resolved from the history when the task was stored; it agrees with that.
  const b = given.autoResources.length === 0 ? comparable(given) : comparable({ ...given, resources: { ...given.resources, ...pick(stored.resources, given.autoResources) } });
  // A task stored before maxInterruptions existed takes the resuming scheduler's (see restoreRun).
  if (stored.maxInterruptions === undefined) delete a['maxInterruptions'];
  for (const field of Object.keys(a)) {
    const storedValue = canonicalJson(a[field]);
    const givenValue = canonicalJson(b[field]);
    if (storedValue !== givenValue) return { field, stored: storedValue, given: givenValue };
  }
  return undefined;
}

/**
 * With a store, scheduling a task whose id the store already holds "ensures" it: the same spec
 * adds nothing (a recovered task gets its `run` again: `rerun`, and its `idempotent`, which a store
 * does not keep: `idempotent`; the caller applies both), another
 * spec is an error naming the first field that differs. `fresh`: the tasks that are new.
 *
 * @throws TaskSchedulingError naming `tasks[i].<field>`
 * @example
 * const { fresh, rerun } = resubmittedTasks(journal, (id) => entries.get(id), batch, false);
 */
export function resubmittedTasks(
  journal: Pick<Journal, 'specs' | 'recovered'>,
  entryOf: (id: string) => TaskEntry | undefined,
  batch: readonly NormalizedTask[],
  single: boolean,
): { fresh: NormalizedTask[]; rerun: [TaskEntry, TaskRun<any>][]; idempotent: TaskEntry[]; identified: [TaskEntry, NormalizedTask][] } {
  const fresh: NormalizedTask[] = [];
  const known: [NormalizedTask, StoredTask][] = [];
  batch.forEach((task, i) => {
    // An id this process admitted and has since dropped (maxFinishedRecords) is free again, as
    // without a store; a recovered one stays taken, so a finished task never runs again.
    const isTaken = entryOf(task.id) !== undefined || journal.recovered.has(task.id);
    const stored = isTaken ? journal.specs.get(task.id) : undefined;
    if (stored === undefined) {
      fresh.push(task);
      return;
    }
    const difference = differingField(task, stored);
    if (difference !== undefined) {
      const field = `${single ? 'task' : `tasks[${i}]`}.${difference.field}`;
      throw new TaskSchedulingError(
        `${field}: task "${task.id}" is already stored with another ${difference.field} (stored ${difference.stored}, given ${difference.given}); ` +
          'use another id, or start the run afresh',
        field,
      );
    }
    known.push([task, stored]);
  });
  // Only once the whole batch is known to be acceptable: a recovered task gets its work back.
  const rerun: [TaskEntry, TaskRun<any>][] = [];
  const idempotent: TaskEntry[] = [];
  const identified: [TaskEntry, NormalizedTask][] = [];
  for (const [task, stored] of known) {
    const entry = entryOf(task.id);
    if (entry !== undefined && task.idempotent && journal.recovered.has(task.id)) idempotent.push(entry);
    // A recovered task still to run: who it is to the history, which the store does not keep.
    if (entry !== undefined && entry.output === undefined && entry.runs === undefined && journal.recovered.has(task.id)) identified.push([entry, task]);
    if (entry !== undefined && task.hasOwnRun && journal.recovered.has(task.id) && (stored.hasOwnRun || entry.run === MISSING_WORK)) {
      rerun.push([entry, task.run]);
    }
  }
  return { fresh, rerun, idempotent, identified };
}
