/**
 * A count with its noun, singular for 1: `counted(1, 'task')` is `1 task`, `counted(2, 'task')` is
 * `2 tasks`; `plural` for a noun that does not just take an s.
 *
 * @example
 * `${counted(levels, 'level')}`; // '1 level'
 */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}
