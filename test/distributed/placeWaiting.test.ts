import { describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/core/Executor.js';
import { AttemptBook, type Tracked } from '../../src/distributed/AttemptBook.js';
import type { WorkerAnnouncement } from '../../src/distributed/AttemptJob.js';
import { NodeBoard } from '../../src/distributed/NodeBoard.js';
import { placeWaiting } from '../../src/distributed/placeWaiting.js';
import type { TaskRecord } from '../../src/types.js';

const worker = (node: string, concurrency: number): WorkerAnnouncement => ({ id: `w-${node}`, node, concurrency, resources: {}, types: ['t'], runsDescriptors: false, host: 'h', pid: 1 });

function waiting(book: AttemptBook, count: number, resources: Record<string, number> = {}): Tracked[] {
  return Array.from({ length: count }, (_, i) => {
    const attempt: Attempt = { taskId: `t${i}`, attempt: 1, type: 't', config: {}, run: () => null, record: () => ({}) as TaskRecord, placed: () => undefined, active: () => undefined, spawn: () => [] };
    const tracked: Tracked = { attempt, report: () => undefined, jobId: `r.t${i}.1`, record: {} as TaskRecord, resources, priority: 3, node: undefined, state: 'unplaced', reason: '', checkedAt: 0, added: Promise.resolve() };
    book.add(tracked);
    return tracked;
  });
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
});
