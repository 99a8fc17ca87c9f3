import { RaceLostError, UpstreamFailedError } from '../errors.js';
import type { NormalizedTask } from './normalizeTaskSpec.js';
import { specField } from './specField.js';

/** How a child ended. */
type FinalStatus = 'completed' | 'failed' | 'cancelled';

/**
 * A parent's side of its children: the tasks its work spawned (`spawn`), or the alternatives of
 * its race (`race`). Kept on the parent's entry; each child's entry names its parent.
 */
export interface Family {
  readonly kind: 'spawn' | 'race';
  /** Children ids, in the order they were spawned (a race: its alternatives' order). */
  readonly children: string[];
  /** Children that have not ended yet. */
  open: number;
  /** A race's alternatives that failed or were cancelled, with why, in the order they ended. */
  readonly failures: { readonly id: string; readonly message: string }[];
  /** A race's winner, once one completed. */
  winner: string | undefined;
  /**
   * The parent waited for its children in `pending.children` (a race always; a spawn's parent
   * once its work returned with children open): it ends from there, not from running.
   */
  waited: boolean;
}

/** A new family with no children yet. */
export function newFamily(kind: Family['kind']): Family {
  return { kind, children: [], open: 0, failures: [], winner: undefined, waited: kind === 'race' };
}

/**
 * What a child's end means for its parent, decided from the family alone:
 * - `none`: nothing yet (children remain; or the race is decided already);
 * - `complete`: the parent's wait is over: it completes with `result` when its work has
 *   returned (`fromWork`: its work's own result) or, for a race, with the winner's;
 * - `fail` / `cancel`: the parent ends as a dependent would;
 * and `cancel` lists the children to cancel now (a race's losers).
 */
export type ChildEndDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'complete'; readonly fromWork: true }
  | { readonly kind: 'complete'; readonly fromWork: false; readonly result: unknown; readonly winner: string; readonly losers: readonly string[] }
  | { readonly kind: 'fail'; readonly error: Error }
  | { readonly kind: 'cancel'; readonly reason: string };

const NONE: ChildEndDecision = Object.freeze({ kind: 'none' });
const ALL_DONE: ChildEndDecision = Object.freeze({ kind: 'complete', fromWork: true });

/**
 * Records a child's end in its family and decides what it means for the parent (see
 * {@link ChildEndDecision}). Pure but for the family's counters, which it updates.
 *
 * @example
 * const decision = childEnded(family, 'p', 'c1', 'failed', undefined, new Error('no proof'));
 * // a spawn's family: { kind: 'fail', error: UpstreamFailedError('p', 'c1', 'child') }
 */
export function childEnded(
  family: Family,
  parentId: string,
  childId: string,
  status: FinalStatus,
  result: unknown,
  error: Error | undefined,
  isLive: (id: string) => boolean,
): ChildEndDecision {
  family.open--;
  if (family.kind === 'spawn') {
    if (status === 'failed') return { kind: 'fail', error: new UpstreamFailedError(parentId, childId, 'child') };
    if (status === 'cancelled') return { kind: 'cancel', reason: `child "${childId}" was cancelled` };
    return family.open === 0 ? ALL_DONE : NONE;
  }
  if (family.winner !== undefined) return NONE;
  if (status === 'completed') {
    family.winner = childId;
    return { kind: 'complete', fromWork: false, result, winner: childId, losers: family.children.filter((id) => id !== childId && isLive(id)) };
  }
  family.failures.push({ id: childId, message: error?.message ?? status });
  return family.open === 0 ? { kind: 'fail', error: new RaceLostError(parentId, family.failures) } : NONE;
}

/** What {@link spawnProblem} needs to know of the tasks. */
export interface SpawnView {
  /** The parent's state now: its status, its current attempt, its family and its own parent. */
  taskOf(id: string): { readonly status: string; readonly attempts: number; readonly family: Family | undefined; readonly parent: string | undefined } | undefined;
  /** Tasks that depend on `id` directly. */
  dependentsOf(id: string): readonly string[];
}

/**
 * Why `attempt` of task `parentId` may not spawn `batch` (field and message), or undefined when
 * it may: the attempt must still run, the task may not pass `maxChildren` children, and no child
 * may depend on anything that waits for the parent (the parent itself, its ancestors, or what
 * depends on any of them): the parent completes only after its children, so such a child would
 * wait forever. Ids and the batch's own dependencies are checked as for any batch.
 *
 * @example
 * spawnProblem(view, 'split', 1, batch, 10_000); // undefined, or { field: 'spawn[0].dependencies[0]', message }
 */
export function spawnProblem(
  view: SpawnView,
  parentId: string,
  attempt: number,
  batch: readonly Pick<NormalizedTask, 'id' | 'dependencies' | 'parent' | 'race'>[],
  maxChildren: number,
): { readonly field: string; readonly message: string } | undefined {
  const parent = view.taskOf(parentId);
  if (parent === undefined || parent.status !== 'running' || parent.attempts !== attempt) {
    const now =
      parent === undefined
        ? 'the task is gone'
        : parent.status === 'running'
          ? `the task is on attempt ${parent.attempts}`
          : parent.status === 'pending' && parent.attempts === attempt && parent.family?.waited === true
            ? 'its work returned; it waits for its children'
            : `the task is ${parent.status}`;
    return { field: 'spawn', message: `task "${parentId}" cannot spawn children: its attempt ${attempt} is over (${now})` };
  }
  const direct = batch.filter((task) => task.parent === parentId).length;
  const had = parent.family?.children.length ?? 0;
  if (had + direct > maxChildren) {
    return { field: 'spawn', message: `task "${parentId}" cannot spawn ${direct} children: it has ${had} and maxChildren is ${maxChildren}` };
  }
  const inBatch = new Set(batch.map((task) => task.id));
  const external = batch.some((task) => task.dependencies.some((id) => !inBatch.has(id)));
  if (!external) return undefined;
  const waiting = waitersFor(view, parentId);
  for (const [i, task] of batch.entries()) {
    for (const [j, dependency] of task.dependencies.entries()) {
      if (waiting.has(dependency)) {
        return {
          field: `${specField(batch, i, 'spawn')}.dependencies[${j}]`,
          message: `child "${task.id}" of "${parentId}" cannot depend on "${dependency}": ${dependency === parentId ? 'it is its parent' : `"${dependency}" waits for "${parentId}"`}, which waits for its children (a cycle through the parent)`,
        };
      }
    }
  }
  return undefined;
}

/** The parent, its ancestors, and everything that depends on any of them. */
function waitersFor(view: SpawnView, parentId: string): Set<string> {
  const waiting = new Set<string>();
  const todo: string[] = [];
  for (let id: string | undefined = parentId; id !== undefined && !waiting.has(id); id = view.taskOf(id)?.parent) {
    waiting.add(id);
    todo.push(id);
  }
  while (todo.length > 0) {
    for (const dependent of view.dependentsOf(todo.pop() as string)) {
      if (!waiting.has(dependent)) {
        waiting.add(dependent);
        todo.push(dependent);
      }
    }
  }
  return waiting;
}
