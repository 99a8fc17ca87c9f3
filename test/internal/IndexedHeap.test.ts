import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { IndexedHeap } from '../../src/internal/IndexedHeap.js';

interface Item {
  readonly id: string;
  readonly p: number;
  /** Submission order: the tie-break that makes the order total. */
  readonly seq: number;
}

const compare = (a: Item, b: Item): number => a.p - b.p || a.seq - b.seq;
const keyOf = (item: Item): string => item.id;
const newHeap = (): IndexedHeap<Item> => new IndexedHeap<Item>(compare, keyOf);

/** Pops every item: the heap's full order. */
function drain(heap: IndexedHeap<Item>): Item[] {
  const out: Item[] = [];
  for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push(item);
  return out;
}

// --- Model-based commands: the reference model is an array of the live items, sorted on demand.

interface Model {
  items: Item[];
  seq: number;
}

const sorted = (model: Model): Item[] => [...model.items].sort(compare);

/** The real heap agrees with the model on size, membership and the item stored under each key. */
function expectSameContents(model: Model, heap: IndexedHeap<Item>): void {
  expect(heap.size).toBe(model.items.length);
  for (const item of model.items) {
    expect(heap.has(item.id)).toBe(true);
    expect(heap.get(item.id)).toBe(item);
  }
  expect(new Set(heap.values())).toEqual(new Set(model.items));
}

class PushCommand implements fc.Command<Model, IndexedHeap<Item>> {
  constructor(
    readonly id: string,
    readonly p: number,
  ) {}
  check = (): boolean => true;
  run(model: Model, heap: IndexedHeap<Item>): void {
    const item: Item = { id: this.id, p: this.p, seq: model.seq++ };
    if (model.items.some((x) => x.id === this.id)) {
      const before = heap.values();
      expect(() => heap.push(item)).toThrow(`IndexedHeap: key "${this.id}" is already present`);
      expect(heap.values()).toEqual(before);
    } else {
      heap.push(item);
      model.items.push(item);
    }
    expectSameContents(model, heap);
  }
  toString = (): string => `push(${this.id}, ${this.p})`;
}

class PopCommand implements fc.Command<Model, IndexedHeap<Item>> {
  check = (): boolean => true;
  run(model: Model, heap: IndexedHeap<Item>): void {
    const expected = sorted(model)[0];
    expect(heap.pop()).toBe(expected);
    if (expected !== undefined) model.items = model.items.filter((x) => x !== expected);
    expectSameContents(model, heap);
  }
  toString = (): string => 'pop()';
}

class RemoveCommand implements fc.Command<Model, IndexedHeap<Item>> {
  constructor(readonly id: string) {}
  check = (): boolean => true;
  run(model: Model, heap: IndexedHeap<Item>): void {
    const present = model.items.some((x) => x.id === this.id);
    expect(heap.remove(this.id)).toBe(present);
    model.items = model.items.filter((x) => x.id !== this.id);
    expect(heap.has(this.id)).toBe(false);
    expect(heap.get(this.id)).toBeUndefined();
    expectSameContents(model, heap);
  }
  toString = (): string => `remove(${this.id})`;
}

class UpdateCommand implements fc.Command<Model, IndexedHeap<Item>> {
  constructor(
    readonly id: string,
    readonly p: number,
  ) {}
  check = (): boolean => true;
  run(model: Model, heap: IndexedHeap<Item>): void {
    const at = model.items.findIndex((x) => x.id === this.id);
    const old = model.items[at];
    // An update keeps the item's submission order and changes its rank.
    const item: Item = { id: this.id, p: this.p, seq: old?.seq ?? model.seq++ };
    expect(heap.update(item)).toBe(old !== undefined);
    if (old !== undefined) model.items[at] = item;
    else expect(heap.has(this.id)).toBe(false);
    expectSameContents(model, heap);
  }
  toString = (): string => `update(${this.id}, ${this.p})`;
}

class PeekCommand implements fc.Command<Model, IndexedHeap<Item>> {
  check = (): boolean => true;
  run(model: Model, heap: IndexedHeap<Item>): void {
    expect(heap.peek()).toBe(sorted(model)[0]);
    expectSameContents(model, heap);
  }
  toString = (): string => 'peek()';
}

class OrderedCommand implements fc.Command<Model, IndexedHeap<Item>> {
  constructor(readonly limit: number) {}
  check = (): boolean => true;
  run(model: Model, heap: IndexedHeap<Item>): void {
    const layout = heap.values();
    const result = heap.ordered(this.limit);
    expect(result).toEqual(sorted(model).slice(0, Math.max(0, this.limit)));
    result.forEach((item, i) => expect(item).toBe(sorted(model)[i]));
    // Not mutated: the same items in the same array positions.
    const after = heap.values();
    expect(after).toHaveLength(layout.length);
    after.forEach((item, i) => expect(item).toBe(layout[i]));
  }
  toString = (): string => `ordered(${this.limit})`;
}

const keyArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
const priorityArb = fc.integer({ min: 0, max: 4 }); // few values: many ties for seq to break

const commandsArb = fc.commands(
  [
    fc.tuple(keyArb, priorityArb).map(([id, p]) => new PushCommand(id, p)),
    fc.tuple(keyArb, priorityArb).map(([id, p]) => new PushCommand(id, p)),
    fc.constant(new PopCommand()),
    keyArb.map((id) => new RemoveCommand(id)),
    fc.tuple(keyArb, priorityArb).map(([id, p]) => new UpdateCommand(id, p)),
    fc.constant(new PeekCommand()),
    fc.integer({ min: -2, max: 10 }).map((limit) => new OrderedCommand(limit)),
  ],
  { maxCommands: 80 },
);

describe('IndexedHeap', () => {
  it('pops items in comparator order', () => {
    const heap = newHeap();
    heap.push({ id: 'x', p: 3, seq: 0 });
    heap.push({ id: 'y', p: 1, seq: 1 });
    heap.push({ id: 'z', p: 2, seq: 2 });
    expect(drain(heap).map((x) => x.id)).toEqual(['y', 'z', 'x']);
  });

  it('follows the doc example: a max-heap by a reversed comparator', () => {
    const heap = new IndexedHeap<{ id: string; p: number }>((a, b) => b.p - a.p, (x) => x.id);
    heap.push({ id: 'a', p: 1 });
    heap.push({ id: 'b', p: 5 });
    expect(heap.pop()).toEqual({ id: 'b', p: 5 });
    expect(heap.pop()).toEqual({ id: 'a', p: 1 });
  });

  it('breaks ties by the comparator, so equal ranks come out in submission order', () => {
    const heap = newHeap();
    for (let seq = 0; seq < 10; seq++) heap.push({ id: `t${seq}`, p: 1, seq });
    expect(drain(heap).map((x) => x.id)).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9']);
  });

  it('returns undefined from pop and peek when empty', () => {
    const heap = newHeap();
    expect(heap.pop()).toBeUndefined();
    expect(heap.peek()).toBeUndefined();
    expect(heap.size).toBe(0);
  });

  it('throws on a duplicate key and leaves the heap as it was', () => {
    const heap = newHeap();
    const first = { id: 'a', p: 5, seq: 0 };
    heap.push(first);
    expect(() => heap.push({ id: 'a', p: 0, seq: 1 })).toThrow('IndexedHeap: key "a" is already present');
    expect(heap.size).toBe(1);
    expect(heap.get('a')).toBe(first);
    expect(heap.peek()).toBe(first);
  });

  it('removes an item from the middle and keeps the rest in order', () => {
    const heap = newHeap();
    for (let seq = 0; seq < 7; seq++) heap.push({ id: `t${seq}`, p: seq, seq });
    expect(heap.remove('t3')).toBe(true);
    expect(heap.remove('t3')).toBe(false);
    expect(heap.has('t3')).toBe(false);
    expect(drain(heap).map((x) => x.id)).toEqual(['t0', 't1', 't2', 't4', 't5', 't6']);
  });

  it('re-orders an updated item both up and down', () => {
    const heap = newHeap();
    for (let seq = 0; seq < 7; seq++) heap.push({ id: `t${seq}`, p: seq, seq });
    expect(heap.update({ id: 't6', p: -1, seq: 6 })).toBe(true);
    expect(heap.peek()?.id).toBe('t6');
    expect(heap.update({ id: 't6', p: 10, seq: 6 })).toBe(true);
    expect(heap.update({ id: 't0', p: 9, seq: 0 })).toBe(true);
    expect(heap.update({ id: 'nope', p: 0, seq: 99 })).toBe(false);
    expect(heap.has('nope')).toBe(false);
    expect(drain(heap).map((x) => x.id)).toEqual(['t1', 't2', 't3', 't4', 't5', 't0', 't6']);
  });

  it('returns the first `limit` items from ordered() without popping them', () => {
    const heap = newHeap();
    for (const [seq, p] of [5, 3, 8, 1, 9, 2].entries()) heap.push({ id: `t${seq}`, p, seq });
    expect(heap.ordered(3).map((x) => x.p)).toEqual([1, 2, 3]);
    expect(heap.ordered(100).map((x) => x.p)).toEqual([1, 2, 3, 5, 8, 9]);
    expect(heap.ordered(0)).toEqual([]);
    expect(heap.ordered(-1)).toEqual([]);
    expect(heap.size).toBe(6);
    expect(drain(heap).map((x) => x.p)).toEqual([1, 2, 3, 5, 8, 9]);
  });

  it('agrees with a sorted-array model under any sequence of push, pop, remove, update, peek and ordered', () => {
    fc.assert(
      fc.property(commandsArb, (commands) => {
        fc.modelRun(() => ({ model: { items: [], seq: 0 }, real: newHeap() }), commands);
      }),
      { numRuns: 300 },
    );
  });

  it('never mutates the heap in ordered(limit), which returns exactly the first `limit` of the sorted items', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.boolean()), { maxLength: 60 }),
        fc.integer({ min: 0, max: 70 }),
        (entries, limit) => {
          const heap = newHeap();
          const live: Item[] = [];
          entries.forEach(([p, keep], seq) => {
            const item = { id: `t${seq}`, p, seq };
            heap.push(item);
            live.push(item);
            // Removing some items leaves holes filled from the end: a less regular tree.
            if (!keep && seq % 3 === 0) {
              heap.remove(item.id);
              live.pop();
            }
          });
          const expected = [...live].sort(compare);
          const layout = heap.values();
          expect(heap.ordered(limit)).toEqual(expected.slice(0, limit));
          expect(heap.values()).toEqual(layout);
          expect(drain(heap)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
