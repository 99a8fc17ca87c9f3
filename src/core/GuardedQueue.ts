import type { QueuedTask, ReadyQueue } from '../types.js';

/** One call into a policy's queue that threw. */
export interface QueueFailure {
  /** The queue method that threw (a policy's `compare` throws from inside one of them). */
  readonly method: keyof ReadyQueue;
  /** The task the call was about; undefined for calls about the whole queue (peek, ordered, ...). */
  readonly taskId: string | undefined;
  readonly error: unknown;
}

/**
 * A {@link ReadyQueue} around a policy's queue that never throws: a call that throws is recorded
 * as a {@link QueueFailure} and answered with a safe value (nothing queued, an empty list). The
 * priority-heap actor holds this wrapper, so user code can never fail its transition; the
 * supervisor takes the failures after each step, fails the tasks concerned and rebuilds the
 * queue with {@link GuardedQueue.replace}.
 *
 * @example
 * const queue = new GuardedQueue(policy.createQueue(context));
 * queue.push(task);
 * for (const failure of queue.takeFailures()) report(failure);
 */
export class GuardedQueue implements ReadyQueue {
  #inner: ReadyQueue;
  #failures: QueueFailure[] = [];

  constructor(inner: ReadyQueue) {
    this.#inner = inner;
  }

  /** True if a call threw since the last {@link takeFailures}. */
  get hasFailures(): boolean {
    return this.#failures.length > 0;
  }

  /** The failures recorded so far; the list starts empty again. */
  takeFailures(): QueueFailure[] {
    const failures = this.#failures;
    this.#failures = [];
    return failures;
  }

  /**
   * Records a failure the queue did not throw: an answer that cannot be right (a task that is
   * not queued, nothing while tasks are queued).
   */
  fault(method: keyof ReadyQueue, taskId: string | undefined, error: Error): void {
    this.#failures.push({ method, taskId, error });
  }

  /** Swaps in a fresh queue of the policy (after a failure left the old one in doubt). */
  replace(inner: ReadyQueue): void {
    this.#inner = inner;
  }

  get size(): number {
    return this.#guard('size', undefined, size, undefined, 0);
  }

  push(task: QueuedTask): void {
    this.#guard('push', task.id, push, task, undefined);
  }

  remove(id: string): boolean {
    return this.#guard('remove', id, remove, id, false);
  }

  update(task: QueuedTask): boolean {
    return this.#guard('update', task.id, update, task, false);
  }

  peek(): QueuedTask | undefined {
    return this.#guard('peek', undefined, peek, undefined, undefined);
  }

  pop(): QueuedTask | undefined {
    return this.#guard('pop', undefined, pop, undefined, undefined);
  }

  ordered(limit: number): QueuedTask[] {
    return this.#guard('ordered', undefined, ordered, limit, []);
  }

  get isHolding(): boolean {
    return this.#guard('isHolding', undefined, isHolding, undefined, false);
  }

  /**
   * Calls `call` with the inner queue and `arg`: a shared function and its argument rather than a
   * closure per call (the queue is called several times per task).
   */
  #guard<A, T>(method: keyof ReadyQueue, taskId: string | undefined, call: (queue: ReadyQueue, arg: A) => T, arg: A, fallback: T): T {
    // A queue already in doubt is not asked again until it is replaced.
    if (this.#failures.length > 0) return fallback;
    try {
      return call(this.#inner, arg);
    } catch (error) {
      this.#failures.push({ method, taskId, error });
      return fallback;
    }
  }
}

// What each method asks of the inner queue: one function each for the module's life.
const size = (queue: ReadyQueue): number => queue.size;
const push = (queue: ReadyQueue, task: QueuedTask): void => queue.push(task);
const remove = (queue: ReadyQueue, id: string): boolean => queue.remove(id);
const update = (queue: ReadyQueue, task: QueuedTask): boolean => queue.update(task);
const peek = (queue: ReadyQueue): QueuedTask | undefined => queue.peek();
const pop = (queue: ReadyQueue): QueuedTask | undefined => queue.pop();
const ordered = (queue: ReadyQueue, limit: number): QueuedTask[] => queue.ordered(limit);
const isHolding = (queue: ReadyQueue): boolean => queue.isHolding === true;
