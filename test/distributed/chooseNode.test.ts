import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/core/Executor.js';
import { AttemptBook, type Tracked } from '../../src/distributed/AttemptBook.js';
import type { WorkerAnnouncement } from '../../src/distributed/AttemptJob.js';
import { chooseNode } from '../../src/distributed/chooseNode.js';
import type { LoadBalancing } from '../../src/distributed/DistributedOptions.js';
import { NodeBoard } from '../../src/distributed/NodeBoard.js';
import { placeWaiting } from '../../src/distributed/placeWaiting.js';
import type { TaskRecord } from '../../src/types.js';

const MODES: readonly LoadBalancing[] = ['round_robin', 'least_loaded', 'resource_aware'];

const worker = (node: string, concurrency: number, types = ['t']): WorkerAnnouncement => ({ id: `w-${node}-${types.join()}`, node, concurrency, resources: {}, types, runsDescriptors: false, host: 'h', pid: 1 });

function track(book: AttemptBook, id: string, resources: Record<string, number>): Tracked {
  const attempt: Attempt = { taskId: id, attempt: 1, type: 't', config: {}, run: () => null, record: () => ({}) as TaskRecord, placed: () => undefined, active: () => undefined, spawn: () => [] };
  const tracked: Tracked = { attempt, report: () => undefined, jobId: `r.${id}.1`, record: {} as TaskRecord, resources, priority: 3, node: undefined, state: 'unplaced', reason: '', checkedAt: 0, added: Promise.resolve() };
  book.add(tracked);
  return tracked;
}

describe('chooseNode', () => {
  it('keeps round_robin within a node\'s resources: 5 tasks of 1 cpu on nodes of 2 and 8 cpu put at most 2 on the small one', () => {
    const board = new NodeBoard([{ name: 'small', resources: { cpu: 2 } }, { name: 'big', resources: { cpu: 8 } }]);
    board.setWorkers([worker('small', 8), worker('big', 8)]);
    const book = new AttemptBook(board, () => undefined);
    for (let i = 0; i < 5; i++) track(book, `t${i}`, { cpu: 1 });
    placeWaiting(book, board, { loadBalancing: 'round_robin', prefetch: 2 }, 0);
    expect(board.status().map(({ name, used }) => ({ name, used }))).toEqual([{ name: 'small', used: { cpu: 2 } }, { name: 'big', used: { cpu: 3 } }]);
  });

  it('holds every node to its resources and max_workers in every mode, whatever the nodes, workers and requests', () => {
    const node = fc.record({ cpu: fc.integer({ min: 1, max: 6 }), maxWorkers: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }), concurrency: fc.integer({ min: 1, max: 4 }) });
    fc.assert(
      fc.property(fc.constantFrom(...MODES), fc.array(node, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 20 }), fc.integer({ min: 1, max: 4 }), (mode, nodes, requests, prefetch) => {
        const board = new NodeBoard(nodes.map((spec, i) => ({ name: `n${i}`, maxWorkers: spec.maxWorkers, resources: { cpu: spec.cpu } })));
        board.setWorkers(nodes.map((spec, i) => worker(`n${i}`, spec.concurrency)));
        const book = new AttemptBook(board, () => undefined);
        requests.forEach((cpu, i) => track(book, `t${i}`, cpu === 0 ? {} : { cpu }));
        const { batches } = placeWaiting(book, board, { loadBalancing: mode, prefetch }, 0);
        const status = board.status();
        nodes.forEach((spec, i) => {
          expect(status[i]?.used['cpu'] ?? 0).toBeLessThanOrEqual(spec.cpu);
          expect(status[i]?.placed).toBeLessThanOrEqual(spec.maxWorkers ?? Infinity);
        });
        // Something was placed whenever a request fits an empty node (the bounds are not met by placing nothing).
        if (requests.some((cpu) => nodes.some((spec) => cpu <= spec.cpu))) expect(batches.size).toBeGreaterThan(0);
      }),
    );
  });

  it('says a task no live worker can run, and why, apart from one that waits for room', () => {
    const board = new NodeBoard([{ name: 'a', resources: { gpu: 1 } }, { name: 'b', resources: { gpu: 2 } }]);
    board.setWorkers([worker('a', 1), worker('b', 1)]);
    const [a, b] = board.views();
    expect(chooseNode('least_loaded', board.views(), { type: 'x', hasDescriptor: false, resources: {} }, 0, 2)).toEqual({
      node: undefined,
      unplaceable: true,
      reason: 'no live worker on any node can run task type "x" (none has a handler for it; live nodes: a, b)',
    });
    expect(chooseNode('round_robin', board.views(), { type: 't', hasDescriptor: false, resources: { gpu: 3 } }, 0, 2)).toEqual({
      node: undefined,
      unplaceable: true,
      reason: 'no live node has gpu 3 free, nor that much in all (a: gpu 1; b: gpu 2): no live worker can run it until a larger node joins',
    });
    board.add('b', { gpu: 2 });
    expect(chooseNode('resource_aware', [a, b].filter((v) => v !== undefined), { type: 't', hasDescriptor: false, resources: { gpu: 2 } }, 0, 2)).toMatchObject({ node: undefined, unplaceable: false });
  });

  it('resource_aware picks the node whose free resources fit most tightly; least_loaded the emptier one', () => {
    const board = new NodeBoard([{ name: 'big', resources: { gpu: 4 } }, { name: 'small', resources: { gpu: 1 } }]);
    board.setWorkers([worker('big', 2), worker('small', 2)]);
    board.add('small', {});
    const request = { type: 't', hasDescriptor: false, resources: { gpu: 1 } };
    expect(chooseNode('resource_aware', board.views(), request, 0, 2)).toMatchObject({ node: 'small' });
    expect(chooseNode('least_loaded', board.views(), request, 0, 2)).toMatchObject({ node: 'big' });
  });
});
