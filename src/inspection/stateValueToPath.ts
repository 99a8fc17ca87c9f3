import type { StateValue } from 'xstate';

/**
 * Turns an XState state value into the dotted path of its active leaf states: `'running'`,
 * `{ pending: 'queued' }` → `'pending.queued'`. Parallel regions are joined with `', '`, in the
 * order of their keys.
 *
 * @example
 * stateValueToPath({ pending: 'backoff' }); // 'pending.backoff'
 */
export function stateValueToPath(value: StateValue): string {
  if (typeof value === 'string') return value;
  const leaves: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const sub = stateValueToPath(child as StateValue);
    leaves.push(sub === '' ? key : sub.split(', ').map((leaf) => `${key}.${leaf}`).join(', '));
  }
  return leaves.join(', ');
}
