import type { NormalizedTask } from './normalizeTaskSpec.js';

/**
 * Where the batch's task `at` was given: `tasks[k]` (`spawn[k]`, or `task` for one spec), or
 * `tasks[k].race[m]` for an alternative, which follows its race in the batch.
 *
 * @example
 * specField(normalizeTaskSpecs([{ race: [a, b] }, c], ...), 3, 'spawn'); // 'spawn[1]'
 */
export function specField(batch: readonly Pick<NormalizedTask, 'id' | 'parent' | 'race'>[], at: number, list: string): string {
  let spec = -1;
  let alternative = -1;
  let race: string | undefined;
  for (const task of batch.slice(0, at + 1)) {
    if (race !== undefined && task.parent === race) {
      alternative++;
      continue;
    }
    spec++;
    alternative = -1;
    race = task.race === undefined ? undefined : task.id;
  }
  const given = list === 'task' ? list : `${list}[${spec}]`;
  return alternative < 0 ? given : `${given}.race[${alternative}]`;
}
