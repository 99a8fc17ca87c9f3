import type { TaskRunState } from './trackTaskRuns.js';

/** What {@link estimateEta} says of the time left. */
export interface Eta {
  /** Estimated ms until every unfinished task ends. */
  readonly ms: number;
  /** Tasks whose estimate rests on their own history (their runs, or a renamed task's). */
  readonly learned: number;
  /** Tasks whose estimate was declared. */
  readonly declared: number;
  /** Tasks planned with their type's history or the default: the guesses. */
  readonly guessed: number;
  readonly total: number;
}

/**
 * The time left in a run, from the estimates the scheduler plans with: the longer of the longest
 * chain of unfinished tasks (a running one counts what its estimate has left) and the unfinished
 * work spread over the workers. Undefined when no task has an estimate (no history, none declared).
 *
 * @example
 * estimateEta(tracker.tasks(), 4, Date.now()); // { ms: 42000, learned: 12, declared: 0, guessed: 8, total: 20 }
 */
export function estimateEta(tasks: readonly TaskRunState[], maxWorkers: number, now: number): Eta | undefined {
  if (!tasks.some((task) => task.estimateMs !== undefined)) return undefined;
  const byName = new Map(tasks.map((task) => [task.name, task]));
  const left = (task: TaskRunState): number => {
    if (task.status !== 'pending' && task.status !== 'running') return 0;
    const estimate = task.estimateMs ?? 0;
    return task.runningSince === undefined ? estimate : Math.max(0, estimate - (now - task.runningSince));
  };
  const chain = new Map<string, number>();
  const chainTo = (task: TaskRunState, seen: Set<string>): number => {
    const known = chain.get(task.name);
    if (known !== undefined) return known;
    // A cycle cannot be scheduled; guard anyway so a bad graph gives a number, not a stack overflow.
    if (seen.has(task.name)) return 0;
    seen.add(task.name);
    let before = 0;
    for (const name of task.dependencies ?? []) {
      const dependency = byName.get(name);
      if (dependency !== undefined) before = Math.max(before, chainTo(dependency, seen));
    }
    const value = before + left(task);
    chain.set(task.name, value);
    return value;
  };
  let longest = 0;
  let work = 0;
  const counts = { learned: 0, declared: 0, guessed: 0 };
  for (const task of tasks) {
    longest = Math.max(longest, chainTo(task, new Set()));
    work += left(task);
    if (task.estimateSource === 'task' || task.estimateSource === 'command') counts.learned++;
    else if (task.estimateSource === 'declared') counts.declared++;
    else counts.guessed++;
  }
  return { ms: Math.max(longest, work / Math.max(1, maxWorkers)), ...counts, total: tasks.length };
}

/**
 * `ETA 42.00s (history for 12 of 20 tasks)`, or undefined when no estimate is known.
 *
 * @example
 * formatEta(estimateEta(tasks, 4, Date.now()), formatSeconds);
 */
export function formatEta(eta: Eta | undefined, seconds: (ms: number) => string): string | undefined {
  if (eta === undefined) return undefined;
  const sure = [`history for ${eta.learned} of ${eta.total} tasks`, ...(eta.declared > 0 ? [`${eta.declared} declared`] : [])];
  return `ETA ${seconds(eta.ms)} (${sure.join(', ')})`;
}
