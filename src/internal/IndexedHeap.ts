/**
 * A binary min-heap of keyed items that also supports removing and re-ordering any item by key
 * in O(log n). "Min" is whatever `compare` ranks first: return a negative number when `a`
 * must come out before `b`.
 *
 * Ties must be broken by the comparator itself (for example by a submission sequence number),
 * so that the order is total and deterministic: the heap itself is not stable.
 *
 * @example
 * const heap = new IndexedHeap<{ id: string; p: number }>((a, b) => b.p - a.p, (x) => x.id);
 * heap.push({ id: 'a', p: 1 });
 * heap.push({ id: 'b', p: 5 });
 * heap.pop(); // { id: 'b', p: 5 }
 */
export class IndexedHeap<T> {
  readonly #items: T[] = [];
  readonly #positions = new Map<string, number>();
  readonly #compare: (a: T, b: T) => number;
  readonly #keyOf: (item: T) => string;

  constructor(compare: (a: T, b: T) => number, keyOf: (item: T) => string) {
    this.#compare = compare;
    this.#keyOf = keyOf;
  }

  /** How many items the heap holds. */
  get size(): number {
    return this.#items.length;
  }

  /** True if an item with this key is in the heap. */
  has(key: string): boolean {
    return this.#positions.has(key);
  }

  /** The item with this key, if present. */
  get(key: string): T | undefined {
    const at = this.#positions.get(key);
    return at === undefined ? undefined : this.#items[at];
  }

  /** Adds an item. Throws if an item with the same key is already in the heap. */
  push(item: T): void {
    const key = this.#keyOf(item);
    if (this.#positions.has(key)) throw new Error(`IndexedHeap: key "${key}" is already present`);
    this.#items.push(item);
    this.#positions.set(key, this.#items.length - 1);
    this.#up(this.#items.length - 1);
  }

  /** The first item, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Removes and returns the first item. */
  pop(): T | undefined {
    const first = this.#items[0];
    if (first === undefined) return undefined;
    this.#removeAt(0);
    return first;
  }

  /** Removes the item with this key; false if absent. */
  remove(key: string): boolean {
    const at = this.#positions.get(key);
    if (at === undefined) return false;
    this.#removeAt(at);
    return true;
  }

  /** Replaces the item with the same key and restores heap order; false if absent. */
  update(item: T): boolean {
    const at = this.#positions.get(this.#keyOf(item));
    if (at === undefined) return false;
    this.#items[at] = item;
    this.#down(this.#up(at));
    return true;
  }

  /**
   * Up to `limit` items in heap order, without changing the heap. Costs O(limit · log limit):
   * it walks the heap's tree with a small frontier heap instead of copying it.
   */
  ordered(limit: number): T[] {
    const out: T[] = [];
    if (limit <= 0 || this.#items.length === 0) return out;
    const frontier = new IndexedHeap<number>(
      (a, b) => this.#compare(this.#items[a] as T, this.#items[b] as T),
      String,
    );
    frontier.push(0);
    while (out.length < limit && frontier.size > 0) {
      const at = frontier.pop() as number;
      out.push(this.#items[at] as T);
      for (const child of [2 * at + 1, 2 * at + 2]) {
        if (child < this.#items.length) frontier.push(child);
      }
    }
    return out;
  }

  /** Every item, in no particular order. */
  values(): readonly T[] {
    return this.#items;
  }

  #removeAt(at: number): void {
    const items = this.#items;
    const removed = items[at] as T;
    this.#positions.delete(this.#keyOf(removed));
    const last = items.pop() as T;
    if (at < items.length) {
      items[at] = last;
      this.#positions.set(this.#keyOf(last), at);
      this.#down(this.#up(at));
    }
  }

  #up(start: number): number {
    const items = this.#items;
    const item = items[start] as T;
    let at = start;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = items[parentAt] as T;
      if (this.#compare(item, parent) >= 0) break;
      items[at] = parent;
      this.#positions.set(this.#keyOf(parent), at);
      at = parentAt;
    }
    items[at] = item;
    this.#positions.set(this.#keyOf(item), at);
    return at;
  }

  #down(start: number): void {
    const items = this.#items;
    const n = items.length;
    const item = items[start] as T;
    let at = start;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.#compare(items[right] as T, items[left] as T) < 0) child = right;
      const childItem = items[child] as T;
      if (this.#compare(childItem, item) >= 0) break;
      items[at] = childItem;
      this.#positions.set(this.#keyOf(childItem), at);
      at = child;
    }
    items[at] = item;
    this.#positions.set(this.#keyOf(item), at);
  }
}
