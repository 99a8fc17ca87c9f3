import type { QueuedTask, SchedulingPolicy } from '../types.js';
import { comparePriority } from './comparePriority.js';
import { createUpwardRank } from './createUpwardRank.js';
import { heapQueue } from './heapQueue.js';

/**
 * Critical path first (the list-scheduling half of HEFT): the ready task with the largest upward
 * rank (its estimate plus the longest chain of estimates through its dependents, see
 * {@link createUpwardRank}) runs first; ties go by priority, then submission order.
 *
 * The rank is taken when a task enters the ready queue, from the dependency graph as it is then;
 * tasks scheduled later do not re-rank tasks already queued.
 *
 * @example
 * createScheduler({ policy: criticalPathPolicy() });
 */
export function criticalPathPolicy(options: { backfill?: boolean } = {}): SchedulingPolicy {
  return {
    name: 'critical-path',
    backfill: options.backfill ?? false,
    createQueue: (context) => {
      const rankOf = createUpwardRank(context);
      const ranks = new Map<string, number>();
      const queue = heapQueue((a, b) => {
        const byRank = (ranks.get(b.id) ?? 0) - (ranks.get(a.id) ?? 0);
        if (byRank !== 0) return byRank;
        return comparePriority(a, b);
      });
      const rank = (task: QueuedTask): void => {
        ranks.set(task.id, rankOf(task.id, true));
      };
      return {
        get size() {
          return queue.size;
        },
        push: (task) => {
          rank(task);
          queue.push(task);
        },
        remove: (id) => {
          const isRemoved = queue.remove(id);
          ranks.delete(id);
          return isRemoved;
        },
        update: (task) => queue.update(task),
        peek: () => queue.peek(),
        pop: () => {
          const task = queue.pop();
          if (task) ranks.delete(task.id);
          return task;
        },
        ordered: (limit) => queue.ordered(limit),
      };
    },
  };
}
