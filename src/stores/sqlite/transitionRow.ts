import type { TaskTransition } from '../TaskStore.js';

/** A transition as the `transitions` table holds it: the fields every kind has, and the rest as JSON. */
export interface TransitionRow {
  readonly task: string;
  readonly kind: TaskTransition['kind'];
  readonly at: number;
  /** JSON of the kind's own fields (attempt, retryAt, error, priority, result, reason), or null. */
  readonly data: string | null;
}

/**
 * A value as JSON that can always be written: what JSON cannot hold (a BigInt, a cycle) is kept
 * as a description, so a strange result never stops a run from being journaled.
 */
export function toJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    return JSON.stringify({ unstorable: String(value), reason: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * A transition as a row.
 *
 * @example
 * toTransitionRow({ kind: 'started', id: 'a', at: 5, attempt: 1 }); // { task: 'a', kind: 'started', at: 5, data: '{"attempt":1}' }
 */
export function toTransitionRow(transition: TaskTransition): TransitionRow {
  const { id, kind, at, ...rest } = transition;
  // Every kind but `ready` has fields of its own; each is written on its own, so one that JSON
  // cannot hold (a result) does not take the others with it.
  if (kind === 'ready') return { task: id, kind, at, data: null };
  const fields = Object.entries(rest).filter(([, value]) => value !== undefined);
  return { task: id, kind, at, data: `{${fields.map(([key, value]) => `${JSON.stringify(key)}:${toJson(value)}`).join(',')}}` };
}

/**
 * A row as a transition.
 *
 * @example
 * fromTransitionRow({ task: 'a', kind: 'started', at: 5, data: '{"attempt":1}' });
 */
export function fromTransitionRow(row: TransitionRow): TaskTransition {
  const fields = row.data === null ? {} : (JSON.parse(row.data) as object);
  return { ...fields, id: row.task, kind: row.kind, at: row.at } as TaskTransition;
}
