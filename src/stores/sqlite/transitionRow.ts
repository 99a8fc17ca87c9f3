import type { TaskTransition } from '../../core/TaskStore.js';

/** The `kind` column's codes: a transition's kind is its index here (new kinds go last: files keep their codes). */
export const TRANSITION_KINDS: readonly TaskTransition['kind'][] = ['ready', 'started', 'retrying', 'priority', 'completed', 'failed', 'cancelled', 'active', 'stopped', 'interrupted', 'awaiting'];

const CODES = new Map(TRANSITION_KINDS.map((kind, code) => [kind, code]));

/** A transition as the `transitions` table holds it: `[seq, kind code, at, attempt, data]`. */
export type TransitionRow = [seq: number, kind: number, at: number, attempt: number | null, data: string | null];

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
 * A transition of the task numbered `seq` as a row: the fields every kind has in columns, the
 * kind's own (retryAt, error, priority, result, reason) as JSON, each written on its own so one
 * that JSON cannot hold (a result) does not take the others with it.
 *
 * @example
 * toTransitionRow(0, { kind: 'started', id: 'a', at: 5, attempt: 1 }); // [0, 1, 5, 1, null]
 */
export function toTransitionRow(seq: number, transition: TaskTransition): TransitionRow {
  const { id: _id, kind, at, ...rest } = transition;
  const attempt = 'attempt' in rest ? rest.attempt : null;
  let data: string | null = null;
  for (const [key, value] of Object.entries(rest)) {
    if (key === 'attempt' || value === undefined) continue;
    data = `${data === null ? '{' : `${data},`}${JSON.stringify(key)}:${toJson(value)}`;
  }
  return [seq, CODES.get(kind) as number, at, attempt, data === null ? (kind === 'completed' ? '{}' : null) : `${data}}`];
}

const READY = CODES.get('ready') as number;
const COMPLETED = CODES.get('completed') as number;

/**
 * Appends {@link toTransitionRow}'s five values to `into` (rows laid end to end). The kinds a
 * busy run records per task (`ready`, `started`, `active`, `stopped`, `interrupted`, and
 * `completed` without a result) are written without the intermediate objects; the others, and a
 * `completed` with a result, go through {@link toTransitionRow}: the values are the same either way.
 *
 * @example
 * appendTransitionRow(rows, 0, { kind: 'started', id: 'a', at: 5, attempt: 1 }); // rows ends with 0, 1, 5, 1, null
 */
export function appendTransitionRow(into: unknown[], seq: number, transition: TaskTransition): void {
  switch (transition.kind) {
    case 'ready':
      into.push(seq, READY, transition.at, null, null);
      return;
    case 'started':
    case 'active':
    case 'stopped':
    case 'interrupted':
      into.push(seq, CODES.get(transition.kind), transition.at, transition.attempt, null);
      return;
    case 'completed':
      if (transition.result === undefined && transition.cacheKey === undefined && transition.cached === undefined) {
        into.push(seq, COMPLETED, transition.at, null, '{}');
        return;
      }
  }
  const [, kind, at, attempt, data] = toTransitionRow(seq, transition);
  into.push(seq, kind, at, attempt, data);
}

/**
 * A row's transition (of task `id`).
 *
 * @example
 * fromTransitionRow('a', 1, 5, 1, null); // { kind: 'started', id: 'a', at: 5, attempt: 1 }
 */
export function fromTransitionRow(id: string, code: number, at: number, attempt: number | null, data: string | null): TaskTransition {
  const transition = data === null ? {} : (JSON.parse(data) as Record<string, unknown>);
  transition.id = id;
  transition.kind = TRANSITION_KINDS[code];
  transition.at = at;
  if (attempt !== null) transition.attempt = attempt;
  return transition as unknown as TaskTransition;
}
