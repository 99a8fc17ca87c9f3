import { describe, expect, it, vi } from 'vitest';
import * as choosing from '../../src/distributed/chooseNode.js';
import type { Attempt } from '../../src/core/Executor.js';
import { AttemptBook, type Tracked } from '../../src/distributed/AttemptBook.js';
import type { WorkerAnnouncement } from '../../src/distributed/AttemptJob.js';
import { NodeBoard } from '../../src/distributed/NodeBoard.js';
import { placeWaiting } from '../../src/distributed/placeWaiting.js';
import type { TaskRecord } from '../../src/types.js';

const worker = (node: string, concurrency: number): WorkerAnnouncement => ({ id: `w-${node}`, node, concurrency, resources: {}, types: ['t'], runsDescriptors: false, host: 'h', pid: 1 });

vi.mock('../../src/distributed/chooseNode.js', async (original) => {
  const real = await original<typeof choosing>();
  return { ...real, chooseNode: vi.fn(real.chooseNode) };
});

function waiting(book: AttemptBook, count: number, resources: Record<string, number> = {}, type = 't', from = 0): Tracked[] {
  return Array.from({ length: count }, (_, index) => {
    const i = from + index;
    const attempt: Attempt = { taskId: `t${i}`, attempt: 1, type, config: {}, run: () => null, record: () => ({}) as TaskRecord, placed: () => undefined, active: () => undefined, spawn: () => [] };
    const tracked: Tracked = { attempt, report: () => undefined, jobId: `r.t${i}.1`, record: {} as TaskRecord, resources, priority: 3, node: undefined, state: 'unplaced', reason: '', checkedAt: 0, added: Promise.resolve() };
    book.add(tracked);
    return tracked;
  });
}

/**
 * Nodes a and b with these workers; `kinds` attempts waiting in order, each `[type, count]`; and
 * the calls of chooseNode counted from now.
 */
function queueBehind(a: WorkerAnnouncement, b: WorkerAnnouncement, kinds: [string, number][]) {
  const board = new NodeBoard([{ name: 'a' }, { name: 'b' }]);
  board.setWorkers([a, b]);
  const book = new AttemptBook(board, () => undefined);
  let from = 0;
  for (const [type, count] of kinds) waiting(book, count, {}, type, (from += count) - count);
  const asked = vi.mocked(choosing.chooseNode);
  asked.mockClear();
  return { board, book, asked };
}

describe('placeWaiting', () => {
  it('counts each placement of a pass in the next choice: least_loaded fills nodes evenly up to prefetch per slot and keeps the rest waiting', () => {
    const board = new NodeBoard([{ name: 'a' }, { name: 'b' }]);
    board.setWorkers([worker('a', 2), worker('b', 1)]);
    const book = new AttemptBook(board, () => undefined);
    waiting(book, 8);
    const { batches } = placeWaiting(book, board, { loadBalancing: 'least_loaded', prefetch: 2 }, 0);
    expect(batches.get('a')?.length).toBe(4);
    expect(batches.get('b')?.length).toBe(2);
    expect(book.unplaced.map((tracked) => tracked.reason)).toEqual([expect.stringContaining('every live node is busy'), expect.stringContaining('every live node is busy')]);
    expect(board.status().map(({ name, placed }) => ({ name, placed }))).toEqual([{ name: 'a', placed: 4 }, { name: 'b', placed: 2 }]);
  });

  it('frees what a finished attempt held for the next pass, and resource_aware sees resources used earlier in the same pass', () => {
    const board = new NodeBoard([{ name: 'a', resources: { gpu: 2 } }]);
    board.setWorkers([worker('a', 4)]);
    const book = new AttemptBook(board, () => undefined);
    waiting(book, 3, { gpu: 1 });
    const first = placeWaiting(book, board, { loadBalancing: 'resource_aware', prefetch: 4 }, 0);
    expect(first.batches.get('a')?.length).toBe(2);
    expect(book.unplaced[0]?.reason).toContain('no live node has gpu 1 free');
    book.finish(first.batches.get('a')?.[0] as Tracked, { ok: true, result: null });
    // A change of workers rebuilds the views; what is placed stays counted.
    board.setWorkers([worker('a', 4)]);
    const second = placeWaiting(book, board, { loadBalancing: 'resource_aware', prefetch: 4 }, 0);
    expect(second.batches.get('a')?.length).toBe(1);
    expect(board.status()[0]).toMatchObject({ placed: 2, used: { gpu: 2 } });
  });

  it('asks for a node once per kind of attempt while nothing is placed: a long queue behind full nodes costs a pass what its placements cost', () => {
    const { board, book, asked } = queueBehind(worker('a', 2), { ...worker('b', 1), types: ['t', 'u'] }, [['t', 1000], ['u', 3], ['v', 2]]);
    const { batches } = placeWaiting(book, board, { loadBalancing: 'least_loaded', prefetch: 2 }, 0);
    // 6 placed (4 on a, 2 on b), then one refusal per kind: t (busy), u (busy), v (no handler anywhere).
    expect(asked).toHaveBeenCalledTimes(6 + 3);
    expect([...batches].map(([node, placed]) => [node, placed.length])).toEqual([['a', 4], ['b', 2]]);
    expect(book.unplaced).toHaveLength(1000 - 6 + 3 + 2);
    const reasons = new Set(book.unplaced.filter((tracked) => tracked.attempt.type === 't').map((tracked) => tracked.reason));
    expect([...reasons]).toEqual([expect.stringContaining('every live node is busy (a: 4 jobs for 2 slots; b: 2 jobs for 1 slots)')]);
    const never = book.unplaced.filter((tracked) => tracked.attempt.type === 'v');
    expect(never.map((tracked) => tracked.unplaceableSince)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(never[0]?.reason).toContain('task type "v"');
    expect(book.unplaced.filter((tracked) => tracked.attempt.type === 'u').every((tracked) => tracked.unplaceableSince === undefined)).toBe(true);
  });

  it('asks again after each placement: a refusal seen before a placement is not reused after it', () => {
    // t fits only a (1 slot, prefetch 1); u only b: each kind is refused once a is full, u still placed.
    const { board, book, asked } = queueBehind(worker('a', 1), { ...worker('b', 1), types: ['u'] }, [['t', 2], ['u', 1], ['t', 1]]);
    const { batches } = placeWaiting(book, board, { loadBalancing: 'least_loaded', prefetch: 1 }, 0);
    expect([...batches].map(([node, placed]) => [node, placed.map((tracked) => tracked.attempt.taskId)])).toEqual([['a', ['t0']], ['b', ['t2']]]);
    expect(book.unplaced.map((tracked) => [tracked.attempt.taskId, tracked.reason])).toEqual([
      ['t1', 'every live node is busy (a: 1 jobs for 1 slots)'],
      ['t3', 'every live node is busy (a: 1 jobs for 1 slots)'],
    ]);
    // t0, t1 (refused), t2 (placed: the refusal is dropped), t3 asked again.
    expect(asked).toHaveBeenCalledTimes(4);
  });
});
