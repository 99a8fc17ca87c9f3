import type { Problem } from './describeZodIssues.js';
import type { KeyPath } from './parseYamlSource.js';

/**
 * A workload's (or a spawn file's) tasks with each race's alternatives beside them, as the tasks
 * of the run they are (`<race>/<i>`), so that what they ask and wait for is checked as a task's;
 * `atPlace` moves a problem found at `tasks.<race>/<i>` to its place in the file,
 * `tasks.<race>.race.<i>`.
 *
 * @example
 * const { checked, atPlace } = withAlternatives(Object.entries(workload.tasks));
 * checkTaskResources(new Map(checked.map(([name, task]) => [name, task.resources])), pool).map(atPlace);
 */
export function withAlternatives<Task extends { readonly race?: readonly Task[] | undefined }>(
  tasks: readonly (readonly [string, Task])[],
): { checked: [string, Task][]; atPlace: (problem: Problem) => Problem } {
  const places = new Map<string, KeyPath>();
  const alternatives = tasks.flatMap(([name, task]) =>
    (task.race ?? []).map((alternative, i): [string, Task] => {
      places.set(`${name}/${i}`, ['tasks', name, 'race', i]);
      return [`${name}/${i}`, alternative];
    }),
  );
  const atPlace = (problem: Problem): Problem => {
    const place = places.get(String(problem.path[1]));
    return place === undefined ? problem : { ...problem, path: [...place, ...problem.path.slice(2)] };
  };
  return { checked: [...tasks.map(([name, task]): [string, Task] => [name, task]), ...alternatives], atPlace };
}
