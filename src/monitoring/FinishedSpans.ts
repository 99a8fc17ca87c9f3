import type { Link, SpanContext } from '@opentelemetry/api';

/**
 * The last span of finished tasks, for their dependents' links. A task some known dependent
 * still waits for is held until that dependent ends ({@link hold}, {@link release}), however
 * many tasks finish meanwhile; the others are kept, the most recent `limit` of them, for
 * dependents scheduled after they finished.
 *
 * The oldest is found with one iterator kept for the Map's lifetime: a fresh
 * `keys().next()` walks over every key deleted before it (about 7 µs a task at 10k kept),
 * where the kept iterator has passed them once. Each task's {@link Link} is made once and
 * shared by every dependent.
 *
 * @example
 * const finished = new FinishedSpans(10_000);
 * finished.hold(['fetch']); // a task depending on fetch was scheduled
 * finished.remember('fetch', span.spanContext());
 * finished.linksTo(['fetch', 'unknown']); // [{ context: <fetch's span context> }]
 * finished.release(['fetch']); // that task ended
 */
export class FinishedSpans {
  readonly #limit: number;
  /** Dependents known and not ended yet, by the id of the task they wait for. */
  readonly #waiting = new Map<string, number>();
  /** Finished tasks with dependents waiting: kept whatever the limit. */
  readonly #held = new Map<string, Link>();
  /** Finished tasks with none, oldest first: an id remembered again moves to the end. */
  readonly #recent = new Map<string, Link>();
  /**
   * Every key behind it was evicted through it, so its next key is the oldest one kept. A Map
   * iterator is live: it sees keys added later and skips keys deleted.
   */
  readonly #oldest = this.#recent.keys();

  /** @param limit finished tasks without a waiting dependent kept at most; 0 keeps none */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Finished tasks kept now. */
  get size(): number {
    return this.#held.size + this.#recent.size;
  }

  /** A task waiting for `ids` was scheduled: their spans are kept until {@link release}. */
  hold(ids: readonly string[]): void {
    for (const id of ids) {
      this.#waiting.set(id, (this.#waiting.get(id) ?? 0) + 1);
      const link = this.#recent.get(id);
      if (link === undefined) continue;
      this.#recent.delete(id);
      this.#held.set(id, link);
    }
  }

  /** A task that waited for `ids` ended: spans nobody else waits for join the recent ones. */
  release(ids: readonly string[]): void {
    for (const id of ids) {
      const waiting = (this.#waiting.get(id) ?? 0) - 1;
      if (waiting > 0) {
        this.#waiting.set(id, waiting);
        continue;
      }
      this.#waiting.delete(id);
      const link = this.#held.get(id);
      if (link === undefined) continue;
      this.#held.delete(id);
      this.#keepRecent(id, link);
    }
  }

  /** Keeps `spanContext` as the last span of task `id`. */
  remember(id: string, spanContext: SpanContext): void {
    const link: Link = { context: spanContext };
    if (this.#waiting.has(id)) this.#held.set(id, link);
    else this.#keepRecent(id, link);
  }

  /** Links to the kept spans of `ids`, in their order; undefined for no ids at all. */
  linksTo(ids: readonly string[]): Link[] | undefined {
    if (ids.length === 0) return undefined;
    const links: Link[] = [];
    for (const id of ids) {
      const link = this.#held.get(id) ?? this.#recent.get(id);
      if (link !== undefined) links.push(link);
    }
    return links;
  }

  #keepRecent(id: string, link: Link): void {
    if (this.#limit === 0) return;
    this.#recent.delete(id);
    this.#recent.set(id, link);
    if (this.#recent.size > this.#limit) this.#recent.delete(this.#oldest.next().value as string);
  }
}
