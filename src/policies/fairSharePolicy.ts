import type { QueuedTask, ReadyQueue, SchedulingPolicy } from '../types.js';
import { comparePriority } from './comparePriority.js';
import { heapQueue } from './heapQueue.js';
import { InvalidOptionsError } from '../errors.js';

/** Options of {@link fairSharePolicy}. */
export interface FairSharePolicyOptions {
  /**
   * Relative share of the workers for each group (`TaskSpec.group`); must be > 0.
   * A group with weight 2 gets twice the running tasks of a group with weight 1 when both wait.
   * @default {} (every group weighs `defaultWeight`)
   */
  groupWeights?: Readonly<Record<string, number>>;
  /** Weight of a group missing from `groupWeights`. @default 1 */
  defaultWeight?: number;
  /** See {@link SchedulingPolicy.backfill}. @default false */
  backfill?: boolean;
}

/**
 * Weighted fair sharing of workers between groups. The next task comes from the group with the
 * fewest running tasks per unit of weight (`running / weight`, counted through `onStart` and
 * `onFinish`); ties go to the group whose next task ranks first. Inside a group, the highest
 * priority runs first, then submission order.
 *
 * One policy object keeps the running counts of one scheduler: create one per scheduler.
 *
 * @example
 * createScheduler({ policy: fairSharePolicy({ groupWeights: { batch: 1, interactive: 3 } }) });
 */
export function fairSharePolicy(options: FairSharePolicyOptions = {}): SchedulingPolicy {
  const defaultWeight = checkWeight('defaultWeight', options.defaultWeight ?? 1);
  const weights = new Map<string, number>();
  for (const [group, weight] of Object.entries(options.groupWeights ?? {})) {
    weights.set(group, checkWeight(`groupWeights.${group}`, weight));
  }
  let running = new Map<string, number>();

  return {
    name: 'fair-share',
    backfill: options.backfill ?? false,
    createQueue: () => {
      running = new Map();
      return fairShareQueue((group, extra) => ((running.get(group) ?? 0) + extra) / (weights.get(group) ?? defaultWeight));
    },
    onStart: (task) => {
      running.set(task.group, (running.get(task.group) ?? 0) + 1);
    },
    onFinish: (task) => {
      running.set(task.group, Math.max(0, (running.get(task.group) ?? 0) - 1));
    },
  };
}

function checkWeight(field: string, weight: number): number {
  if (!Number.isFinite(weight) || weight <= 0) {
    throw new InvalidOptionsError(`fairSharePolicy: expected ${field} to be a finite number > 0, received ${String(weight)}`, field);
  }
  return weight;
}

/** Picks, among candidate heads (one per group), the one whose group is furthest below its share. */
function pickHead(
  heads: Iterable<[string, QueuedTask]>,
  shareOf: (group: string) => number,
): [string, QueuedTask] | undefined {
  let best: [string, QueuedTask] | undefined;
  let bestShare = Number.POSITIVE_INFINITY;
  for (const entry of heads) {
    const share = shareOf(entry[0]);
    if (best === undefined || share < bestShare || (share === bestShare && comparePriority(entry[1], best[1]) < 0)) {
      best = entry;
      bestShare = share;
    }
  }
  return best;
}

/** `shareOf(group, extra)`: the group's running tasks plus `extra`, divided by its weight. */
function fairShareQueue(shareOf: (group: string, extra: number) => number): ReadyQueue {
  const groups = new Map<string, ReadyQueue>();
  const groupOf = new Map<string, string>();
  let size = 0;

  function* liveHeads(): Generator<[string, QueuedTask]> {
    for (const [group, queue] of groups) {
      const head = queue.peek();
      if (head) yield [group, head];
    }
  }
  const next = (): [string, QueuedTask] | undefined => pickHead(liveHeads(), (group) => shareOf(group, 0));

  return {
    get size() {
      return size;
    },
    push: (task) => {
      let queue = groups.get(task.group);
      if (!queue) {
        queue = heapQueue(comparePriority);
        groups.set(task.group, queue);
      }
      queue.push(task);
      groupOf.set(task.id, task.group);
      size += 1;
    },
    remove: (id) => {
      const group = groupOf.get(id);
      if (group === undefined || !groups.get(group)?.remove(id)) return false;
      groupOf.delete(id);
      size -= 1;
      return true;
    },
    update: (task) => {
      const group = groupOf.get(task.id);
      return group !== undefined && (groups.get(group)?.update(task) ?? false);
    },
    peek: () => next()?.[1],
    pop: () => {
      const picked = next();
      if (!picked) return undefined;
      groups.get(picked[0])?.pop();
      groupOf.delete(picked[1].id);
      size -= 1;
      return picked[1];
    },
    ordered: (limit) => {
      // Replays `pop` as if each listed task started: its group's running count goes up by one.
      const lists = new Map<string, { tasks: QueuedTask[]; at: number }>();
      for (const [group, queue] of groups) lists.set(group, { tasks: queue.ordered(limit), at: 0 });
      const out: QueuedTask[] = [];
      while (out.length < limit) {
        const heads = [...lists].flatMap(([group, list]): [string, QueuedTask][] => {
          const head = list.tasks[list.at];
          return head ? [[group, head]] : [];
        });
        const picked = pickHead(heads, (group) => shareOf(group, lists.get(group)?.at ?? 0));
        if (!picked) break;
        out.push(picked[1]);
        const list = lists.get(picked[0]);
        if (list) list.at += 1;
      }
      return out;
    },
  };
}
