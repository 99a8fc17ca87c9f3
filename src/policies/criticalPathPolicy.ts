import type { QueuedTask, ReadyQueue, SchedulingPolicy } from '../types.js';
import { comparePriority } from './comparePriority.js';
import { createUpwardRank } from './createUpwardRank.js';
import { heapQueue } from './heapQueue.js';

/**
 * Critical path first (the list-scheduling half of HEFT): the ready task with the largest upward
 * rank (its estimate plus the longest chain of estimates through its dependents, see
 * {@link createUpwardRank}) runs first; ties go by priority, then submission order.
 *
 * A task is ranked the first time the queue is read after it was pushed, from the dependency
 * graph as it is then; tasks scheduled later do not re-rank tasks already queued.
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
      const queue = heapQueue((a, b) => (ranks.get(b.id) ?? 0) - (ranks.get(a.id) ?? 0) || comparePriority(a, b));
      // Pushed tasks are ranked when the queue is next read, so that tasks scheduled in the same
      // batch (and so their dependents) are in the graph by then.
      const unranked = new Map<string, QueuedTask>();
      const ranked = (): ReadyQueue => {
        for (const task of unranked.values()) {
          ranks.set(task.id, rankOf(task.id, true));
          queue.push(task);
        }
        unranked.clear();
        return queue;
      };
      return {
        get size() {
          return queue.size + unranked.size;
        },
        push: (task) => {
          if (unranked.has(task.id) || ranks.has(task.id)) throw new Error(`criticalPathPolicy: task "${task.id}" is already queued`);
          unranked.set(task.id, task);
        },
        remove: (id) => {
          const isRemoved = unranked.delete(id) || queue.remove(id);
          ranks.delete(id);
          return isRemoved;
        },
        update: (task) => (unranked.has(task.id) ? Boolean(unranked.set(task.id, task)) : queue.update(task)),
        peek: () => ranked().peek(),
        pop: () => {
          const task = ranked().pop();
          if (task) ranks.delete(task.id);
          return task;
        },
        ordered: (limit) => ranked().ordered(limit),
      };
    },
  };
}
