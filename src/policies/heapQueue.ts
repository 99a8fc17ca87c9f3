import { IndexedHeap } from '../internal/IndexedHeap.js';
import type { QueuedTask, ReadyQueue } from '../types.js';

/**
 * A {@link ReadyQueue} backed by an {@link IndexedHeap}: the building block of every policy whose
 * order can be written as a comparator that does not change while tasks wait.
 *
 * @example
 * const fifo = heapQueue((a, b) => a.seq - b.seq);
 */
export function heapQueue(compare: (a: QueuedTask, b: QueuedTask) => number): ReadyQueue {
  const heap = new IndexedHeap<QueuedTask>(compare, (task) => task.id);
  return {
    get size() {
      return heap.size;
    },
    push: (task) => heap.push(task),
    remove: (id) => heap.remove(id),
    update: (task) => heap.update(task),
    peek: () => heap.peek(),
    pop: () => heap.pop(),
    ordered: (limit) => heap.ordered(limit),
  };
}
