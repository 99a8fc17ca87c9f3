import type { Link, SpanContext } from '@opentelemetry/api';

/**
 * The last span of the most recently finished tasks, for their dependents' links; past `limit`
 * the oldest go first. The oldest is found with one iterator kept for the Map's lifetime: a
 * fresh `keys().next()` walks over every key deleted before it, about 7 µs a task at 10k kept,
 * where the kept iterator has passed them once. Each task's {@link Link} is made once and
 * shared by every dependent.
 *
 * @example
 * const finished = new FinishedSpans(10_000);
 * finished.remember('fetch', span.spanContext());
 * finished.linksTo(['fetch', 'unknown']); // [{ context: <fetch's span context> }]
 */
export class FinishedSpans {
  readonly #limit: number;
  /** Oldest first: an id remembered again moves to the end. */
  readonly #links = new Map<string, Link>();
  /**
   * Every key behind it was evicted through it, so its next key is the oldest one kept. A Map
   * iterator is live: it sees keys added later and skips keys deleted.
   */
  readonly #oldest = this.#links.keys();

  /** @param limit tasks remembered at most; 0 remembers none */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Tasks remembered now. */
  get size(): number {
    return this.#links.size;
  }

  /** Keeps `spanContext` as the last span of task `id`, forgetting the oldest past the limit. */
  remember(id: string, spanContext: SpanContext): void {
    if (this.#limit === 0) return;
    this.#links.delete(id);
    this.#links.set(id, { context: spanContext });
    if (this.#links.size > this.#limit) this.#links.delete(this.#oldest.next().value as string);
  }

  /** Links to the remembered spans of `ids`, in their order; undefined for no ids at all. */
  linksTo(ids: readonly string[]): Link[] | undefined {
    if (ids.length === 0) return undefined;
    const links: Link[] = [];
    for (const id of ids) {
      const link = this.#links.get(id);
      if (link !== undefined) links.push(link);
    }
    return links;
  }
}
