import type { WorkloadFileTask } from './types.js';

/** A Standard Task Graph Set graph as a workload, with the critical path its header states. */
export interface StgWorkload {
  readonly tasks: Record<string, WorkloadFileTask>;
  /** The header's `CP Length`, in the file's time units (seconds in the workload); undefined if absent. */
  readonly criticalPath: number | undefined;
}

/**
 * Converts the text of a Standard Task Graph Set (`.stg`) file to a workload: one task `t<n>` per
 * line, its processing time as `estimate` (in seconds, one time unit = 1 s) and its predecessors
 * as dependencies. The entry dummy (task 0) is implied and dropped; the exit dummy (time 0) stays.
 * Throws a TypeError naming the line for anything else.
 *
 * @example
 * parseStg('1 3 1 0\n2 4 1 1\n').tasks; // { t1: { estimate: 3, dependencies: [] }, t2: { estimate: 4, dependencies: ['t1'] } }
 */
export function parseStg(text: string, source = '<string>'): StgWorkload {
  const tasks: Record<string, WorkloadFileTask> = {};
  let criticalPath: number | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, at) => {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) {
      const cp = /^#\s*CP Length\s*:\s*(\d+(?:\.\d+)?)/.exec(trimmed);
      if (cp) criticalPath = Number(cp[1]);
      return;
    }
    if (trimmed === '') return;
    const numbers = trimmed.split(/\s+/).map(Number);
    if (numbers.some((n) => !Number.isInteger(n) || n < 0)) {
      throw new TypeError(`${source}:${at + 1}: expected whole numbers >= 0, found "${trimmed}"`);
    }
    if (numbers.length === 1) return; // the task count line of the original format
    const [id, time, predecessorCount, ...predecessors] = numbers as [number, number, number, ...number[]];
    if (predecessorCount === undefined || predecessors.length !== predecessorCount) {
      throw new TypeError(`${source}:${at + 1}: expected ${String(predecessorCount)} predecessors after the count, found ${predecessors.length}`);
    }
    if (id === 0) return;
    tasks[`t${id}`] = {
      estimate: time,
      dependencies: predecessors.filter((p) => p !== 0).map((p) => `t${p}`),
    };
  });
  return { tasks, criticalPath };
}
