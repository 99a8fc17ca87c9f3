import type { QueuedTask, ReadyQueue } from '../src/types.js';
import { fromMutable } from './fromMutable.js';

/** Events of the priority-heap actor (the ready queue, ordered by the scheduling policy). */
export type PriorityHeapEvent =
  | { type: 'queue.push'; tasks: readonly QueuedTask[] }
  | { type: 'queue.remove'; id: string }
  | { type: 'queue.update'; task: QueuedTask };

/**
 * The priority-heap actor: holds the ready tasks in the order the policy's queue keeps them.
 * Its input is the queue the policy created, so the policy decides the order and the actor
 * only applies changes.
 */
export const priorityHeapLogic = fromMutable<ReadyQueue, PriorityHeapEvent, ReadyQueue>(
  (queue) => queue,
  (queue, event) => {
    switch (event.type) {
      case 'queue.push':
        for (const task of event.tasks) queue.push(task);
        return;
      case 'queue.remove':
        queue.remove(event.id);
        return;
      case 'queue.update':
        queue.update(event.task);
        return;
    }
  },
);
