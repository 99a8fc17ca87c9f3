interface Slot<T> {
  item: T;
  at: number;
}

/**
 * A binary min-heap of keyed items that also supports removing and re-ordering any item by key
 * in O(log n). "Min" is whatever `compare` ranks first: return a negative number when `a`
 * must come out before `b`.
 *
 * Ties must be broken by the comparator itself (for example by a submission sequence number),
 * so that the order is total and deterministic: the heap itself is not stable.
 *
 * Each item sits in a slot that knows its own index, so sifting writes a number instead of
 * updating a Map per level; the Map is touched only on push and removal.
 *
 * @example
 * const heap = new IndexedHeap<{ id: string; p: number }>((a, b) => b.p - a.p, (x) => x.id);
 * heap.push({ id: 'a', p: 1 });
 * heap.push({ id: 'b', p: 5 });
 * heap.pop(); // { id: 'b', p: 5 }
 */
export class IndexedHeap<T> {
  readonly #slots: Slot<T>[] = [];
  readonly #byKey = new Map<string, Slot<T>>();
  readonly #compare: (a: T, b: T) => number;
  readonly #keyOf: (item: T) => string;

  constructor(compare: (a: T, b: T) => number, keyOf: (item: T) => string) {
    this.#compare = compare;
    this.#keyOf = keyOf;
  }

  /** How many items the heap holds. */
  get size(): number {
    return this.#slots.length;
  }

  /** Removes every item. */
  clear(): void {
    this.#slots.length = 0;
    this.#byKey.clear();
  }

  /** True if an item with this key is in the heap. */
  has(key: string): boolean {
    return this.#byKey.has(key);
  }

  /** The item with this key, if present. */
  get(key: string): T | undefined {
    return this.#byKey.get(key)?.item;
  }

  /** Adds an item. Throws if an item with the same key is already in the heap. */
  push(item: T): void {
    const key = this.#keyOf(item);
    if (this.#byKey.has(key)) throw new Error(`IndexedHeap: key "${key}" is already present`);
    const slot: Slot<T> = { item, at: this.#slots.length };
    this.#slots.push(slot);
    this.#byKey.set(key, slot);
    this.#up(slot.at);
  }

  /** The first item, without removing it. */
  peek(): T | undefined {
    return this.#slots[0]?.item;
  }

  /** Removes and returns the first item. */
  pop(): T | undefined {
    const first = this.#slots[0];
    if (first === undefined) return undefined;
    this.#removeAt(0);
    return first.item;
  }

  /** Removes the item with this key; false if absent. */
  remove(key: string): boolean {
    const slot = this.#byKey.get(key);
    if (slot === undefined) return false;
    this.#removeAt(slot.at);
    return true;
  }

  /** Replaces the item with the same key and restores heap order; false if absent. */
  update(item: T): boolean {
    const slot = this.#byKey.get(this.#keyOf(item));
    if (slot === undefined) return false;
    slot.item = item;
    this.#down(this.#up(slot.at));
    return true;
  }

  /**
   * Up to `limit` items in heap order, without changing the heap. Costs O(limit · log limit):
   * it walks the heap's tree with a small frontier heap instead of copying it.
   */
  ordered(limit: number): T[] {
    const out: T[] = [];
    const slots = this.#slots;
    if (limit <= 0 || slots.length === 0) return out;
    const frontier = new IndexedHeap<number>((a, b) => this.#compare((slots[a] as Slot<T>).item, (slots[b] as Slot<T>).item), String);
    frontier.push(0);
    while (out.length < limit && frontier.size > 0) {
      const at = frontier.pop() as number;
      out.push((slots[at] as Slot<T>).item);
      if (2 * at + 1 < slots.length) frontier.push(2 * at + 1);
      if (2 * at + 2 < slots.length) frontier.push(2 * at + 2);
    }
    return out;
  }

  /** Every item, in no particular order. */
  values(): T[] {
    return this.#slots.map((slot) => slot.item);
  }

  #removeAt(at: number): void {
    const slots = this.#slots;
    const removed = slots[at] as Slot<T>;
    this.#byKey.delete(this.#keyOf(removed.item));
    const last = slots.pop() as Slot<T>;
    if (at < slots.length) {
      // Floyd's removal: the hole sinks to the bottom along the first-ranked children (one
      // comparison per level), and the last item rises from there. The last item belongs near
      // the bottom, so this takes about half the comparisons of sifting it down from the top.
      const hole = this.#sink(at);
      slots[hole] = last;
      last.at = hole;
      this.#up(hole);
    }
  }

  /** Moves the first-ranked child up into the hole at `start` until the hole is a leaf; returns where the hole ends. */
  #sink(start: number): number {
    const slots = this.#slots;
    const n = slots.length;
    let at = start;
    for (let left = 2 * at + 1; left < n; left = 2 * at + 1) {
      const right = left + 1;
      const child = right < n && this.#compare((slots[right] as Slot<T>).item, (slots[left] as Slot<T>).item) < 0 ? right : left;
      const childSlot = slots[child] as Slot<T>;
      slots[at] = childSlot;
      childSlot.at = at;
      at = child;
    }
    return at;
  }

  #up(start: number): number {
    const slots = this.#slots;
    const slot = slots[start] as Slot<T>;
    let at = start;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = slots[parentAt] as Slot<T>;
      if (this.#compare(slot.item, parent.item) >= 0) break;
      slots[at] = parent;
      parent.at = at;
      at = parentAt;
    }
    slots[at] = slot;
    slot.at = at;
    return at;
  }

  #down(start: number): void {
    const slots = this.#slots;
    const n = slots.length;
    const slot = slots[start] as Slot<T>;
    let at = start;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.#compare((slots[right] as Slot<T>).item, (slots[left] as Slot<T>).item) < 0) child = right;
      const childSlot = slots[child] as Slot<T>;
      if (this.#compare(childSlot.item, slot.item) >= 0) break;
      slots[at] = childSlot;
      childSlot.at = at;
      at = child;
    }
    slots[at] = slot;
    slot.at = at;
  }
}
